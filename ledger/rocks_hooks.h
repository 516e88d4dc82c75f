// What the store plugs into RocksDB so that a full disk is survived by the running process.
//
// StderrRocksLogger: RocksDB's diagnostics on the process's standard error, never in a file of
// the data directory. RocksDB's default info log is a LOG file beside the data: on a full disk
// its writes fail, and RocksDB's file writer then refuses (and, when built with assertions,
// aborts the process on) every later line — the next of which reports the full disk.
//
// ManualRecoveryListener: turns off RocksDB's automatic recovery from a full disk, which waits
// for as much free space as a whole write buffer (64 MiB by default) and, while it waits,
// answers Busy to DB::Resume. The store resumes by itself (EventStore::ResumeWrites) at the
// next append, as soon as the flush of the memtables fits.
#ifndef CLAS_LEDGER_ROCKS_HOOKS_H_
#define CLAS_LEDGER_ROCKS_HOOKS_H_

#include <memory>

#include "rocksdb/env.h"
#include "rocksdb/listener.h"

namespace clas::ledger {

// A logger of RocksDB's warnings and errors (WARN_LEVEL and above), one "rocksdb: " line each.
// Thread-safe.
std::shared_ptr<rocksdb::Logger> StderrRocksLogger();

// A listener that suppresses the automatic recovery from background errors. Thread-safe.
std::shared_ptr<rocksdb::EventListener> ManualRecoveryListener();

}  // namespace clas::ledger

#endif  // CLAS_LEDGER_ROCKS_HOOKS_H_
