// The named limits of the event log, in one place. Every queue, batch, read and input field of
// the ledger is bounded by one of these; units come last in each name.
//
// Limits that shape what a writer may submit (ids, payload sizes, events per call) are part of
// the ledger's contract with its writers: raising one is safe, lowering one may refuse events
// that earlier builds accepted.
#ifndef CLAS_LEDGER_LIMITS_H_
#define CLAS_LEDGER_LIMITS_H_

#include <cstddef>
#include <cstdint>

namespace clas::ledger {

// Input of one Append call.
inline constexpr size_t kStreamIdBytesMax = 256;
inline constexpr size_t kEventIdBytesMax = 128;
inline constexpr size_t kEventTypeBytesMax = 128;
// actor.id, actor.role, actor.tenant_id, tenant_id and rule_version.
inline constexpr size_t kEventTextBytesMax = 256;
inline constexpr size_t kPayloadBytesMax = size_t{1} << 20;  // 1 MiB
inline constexpr size_t kEventsPerAppendMax = 256;
// Sum of the serialized EventData of one call.
inline constexpr size_t kAppendBytesMax = size_t{16} << 20;  // 16 MiB

// Group commit: what one leader may take from the writer queue into one synced WriteBatch.
// A single call larger than the byte bound is still taken, alone.
inline constexpr size_t kGroupCommitRequestsMax = 128;
inline constexpr size_t kGroupCommitEventsMax = 4096;
inline constexpr size_t kGroupCommitBytesMax = size_t{32} << 20;  // 32 MiB
// How long a leader may wait for the callers of the previous group to come back before it
// writes (EventStore::GatherGroup): a fraction of the last synced write's time (one part in
// kGroupGatherWaitWriteParts), and never more than kGroupGatherWaitMaxUs.
inline constexpr int64_t kGroupGatherWaitWriteParts = 2;
inline constexpr int64_t kGroupGatherWaitMaxUs = 1000;

// Replication: records one EventStore::AppendReplicated call takes (one synced WriteBatch),
// and their stored bytes in all; what one ReadStored call returns at most (bytes: at least one
// record, however large).
inline constexpr size_t kReplicatedRecordsMax = 4096;
inline constexpr size_t kReplicatedBytesMax = size_t{32} << 20;  // 32 MiB

// Records one EventStore::SetAsideAfter may remove from the end of the log: all are removed in
// one synced WriteBatch of deletions (about 3 keys, some 100 bytes for usual ids and at most
// some 420 bytes, per record), so a larger tail is refused rather than staged unbounded.
inline constexpr size_t kSetAsideRecordsMax = 1'000'000;
// Names a set-aside tries in its directory before it gives up finding a fresh one.
inline constexpr size_t kSetAsideNameAttemptsMax = 1000;

// Streams whose last version and hash the writer keeps in memory; past this the cache is
// emptied and refilled from disk on demand (correct, only slower).
inline constexpr size_t kStreamTipsCachedMax = 1'000'000;

// Reads.
inline constexpr size_t kReadEventsMax = 10'000;    // events returned by one read call
inline constexpr size_t kListStreamsMax = 100'000;  // stream ids returned by one ListStreams
inline constexpr size_t kReadStreamsEventsMax = 100'000;  // events of one ReadStreamsUnder page

// RocksDB's block cache, shared by the families (Options::block_cache_bytes): the table blocks
// read recently, kept decompressed (RocksDB's own default is 8 MiB per family).
inline constexpr size_t kBlockCacheBytesDefault = size_t{64} << 20;
inline constexpr size_t kBlockCacheBytesMin = size_t{1} << 20;

// The per-store bounds on Append input; a store may be stricter than the build (tests use small
// values), never looser: Open refuses a value above the constant it defaults to.
struct AppendLimits {
  size_t events_per_append_max = kEventsPerAppendMax;
  size_t payload_bytes_max = kPayloadBytesMax;
};

}  // namespace clas::ledger

#endif  // CLAS_LEDGER_LIMITS_H_
