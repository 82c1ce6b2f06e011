import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { MaintenanceJobs } from './maintenance.jobs';

/** The worker's scheduled housekeeping (calendar coverage, outbox retention). */
@Module({
  imports: [ScheduleModule.forRoot()],
  providers: [MaintenanceJobs],
  exports: [MaintenanceJobs],
})
export class MaintenanceModule {}
