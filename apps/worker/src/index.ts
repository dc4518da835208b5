export { startBackgroundJobs, BackgroundJobs } from './background-jobs';
export { WorkersThread, WorkersThreadOptions } from './thread/workers-thread';
