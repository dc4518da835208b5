export * from './ocsf-validator';
export * from './kafka-topic-reader';
export * from './kmock-broker';
