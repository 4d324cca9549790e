import 'reflect-metadata';
import { Logger } from '@nestjs/common';

// Tests provoke errors on purpose; Nest's default logger would bury the test report in them.
if (!process.env.TEST_LOGS) Logger.overrideLogger(false);
