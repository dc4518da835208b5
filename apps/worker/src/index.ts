export { startBackgroundJobs, BackgroundJobs } from './background-jobs';
