/**
 * @module bench/lib/machine
 * What the figures were measured on, recorded with every run: figures
 * without the machine and the durability setting are not comparable.
 */
import { cpus, totalmem, type as osType, release } from 'node:os';
import type { StoreKind, Synchronous } from './workload.ts';

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly store: StoreKind;
  /** SQLite only; PostgreSQL runs with the server's own settings. */
  readonly sqliteSynchronous?: Synchronous;
  readonly sqliteJournalMode?: 'wal';
}

export function machineInfo(store: StoreKind, synchronous: Synchronous): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${osType()} ${release()}`,
    node: process.version,
    store,
    ...(store === 'sqlite' ? { sqliteSynchronous: synchronous, sqliteJournalMode: 'wal' as const } : {}),
  };
}
