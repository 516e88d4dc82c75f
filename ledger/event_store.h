// EventStore: a durable, append-only, hash-chained event log on RocksDB. It knows nothing of
// what the events mean: a writer appends opaque payloads to named streams; the store assigns
// each event a gap-free global position (1-based), a gap-free version in its stream (1-based),
// a UTC instant strictly increasing with position, and a SHA-256 chain hash (hash_chain.h).
//
// Appends are atomic (all events of one call or none), durable before they are acknowledged
// (Options::sync), checked against the writer's expected stream version (optimistic
// concurrency) and idempotent on event ids: a retry of a recorded call gets the original answer
// and writes nothing. Concurrent appends are group-committed: one synced write carries many
// calls (group_commit.h). To gather the callers of the previous group, a leader may wait before
// its write, at most a fraction of the last sync's time (kGroupGatherWait*).
//
// Thread-safety: an EventStore is safe for concurrent use by any number of threads, for every
// method. REQUIRES: no call is in flight, and no thread waits in WaitForHead, when it is
// destroyed.
//
// Memory: the store keeps the head of the log and, per stream appended to, its last version and
// hash (at most kStreamTipsCachedMax streams); event ids and events live on disk only.
#ifndef CLAS_LEDGER_EVENT_STORE_H_
#define CLAS_LEDGER_EVENT_STORE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "clas/ledger/v1/record.pb.h"
#include "ledger/errors.h"
#include "ledger/limits.h"
#include "ledger/types.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace clas::ledger {

class Storage;
class StreamTips;
struct AppendRequest;
class BackupAccess;  // backup.cc: reaches the database to copy it

struct Options {
  // Directory of the RocksDB database; created if missing unless read_only.
  std::string path;
  // Sync each group commit to disk before acknowledging it. Only a test or a bulk load that
  // can be redone may set it to false.
  bool sync = true;
  // Opens without writing (RocksDB OpenForReadOnly): Append fails, reads see the log as it was
  // at Open.
  bool read_only = false;
  // With read_only, for inspection and verification: open a damaged ledger as far as it can be
  // read instead of refusing it, and say what was found in Damage(). A write-ahead log that does
  // not replay is replayed up to its last intact record; a last event that does not decode, or
  // a head that cannot be read, leaves the head at the last position whose key is readable, so
  // that Verify reaches and names the damage.
  bool tolerate_damage = false;
  // Opens the log as a replica (a follower's copy of another node's log): its records are
  // written by AppendReplicated only, and Append is refused (FailedPrecondition), so that no
  // local write can take a position the leader's log will fill. REQUIRES: !read_only.
  // The role may change afterwards: EventStore::SetReplica.
  bool replica = false;
  // RocksDB's environment (its file system), not owned; null = the default. Tests inject I/O
  // faults through it.
  rocksdb::Env* env = nullptr;
  // UTC microseconds since the Unix epoch; empty = the system clock. Tests inject their own.
  // Called by the writer only, once per accepted Append.
  std::function<int64_t()> clock_us;
  // May only be stricter than the defaults.
  AppendLimits limits;
  // The most records one SetAsideAfter removes: 1..kSetAsideRecordsMax (tests set less).
  size_t set_aside_records_max = kSetAsideRecordsMax;
  // The capacity of RocksDB's block cache, shared by the families (at least 1 MiB): the table
  // blocks read recently, kept decompressed. Memory the store may hold beyond its memtables.
  size_t block_cache_bytes = kBlockCacheBytesDefault;
};

class EventStore {
 public:
  // Opens the log at options.path. Returns the store, or InvalidArgument naming the option
  // (empty path, a limit of 0 or above its default), or the errors of opening the database:
  // NotFound (read_only and no ledger there), FailedPrecondition ("format version 2 is newer
  // than this build's 1"), DataLoss (the last event or the format record is bad), Unavailable
  // (I/O, or the database is locked by another process). With tolerate_damage, a damaged
  // write-ahead log or head opens anyway (see Damage()); table files RocksDB cannot open do not.
  static absl::StatusOr<std::unique_ptr<EventStore>> Open(const Options& options);

  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;
  ~EventStore();

  // Appends `events`, in order, to `stream_id`, atomically and durably. Returns the positions,
  // versions, first instant and last hash assigned (a call's events take consecutive positions
  // and versions, and instants one microsecond apart from the first); or, if every event id was
  // recorded before
  // with the same stream and bytes, the original call's answer with duplicate = true (nothing
  // written; checked before the expected version). On failure nothing is written:
  //   InvalidArgument    naming the bad field (see ValidateAppend in validation.h);
  //   FailedPrecondition the store is read-only, or a replica (Options::replica, SetReplica);
  //   AlreadyExists      an event id recorded before with other content, or a call mixing
  //                      recorded and new ids (names the id and its original position);
  //   Aborted            `expected` does not hold: names the stream, the expectation and the
  //                      current version, which CurrentVersionOf(status) also returns;
  //   ResourceExhausted  the disk is full (DiskFullError); appends resume by themselves once
  //                      space is freed (RocksDB needs room to flush its memtables);
  //   DataLoss, Unavailable, Internal  storage failed (Unavailable: StorageIoError).
  absl::StatusOr<AppendResult> Append(std::string_view stream_id, ExpectedVersion expected,
                                      std::vector<v1::EventData> events);

  // Writes `records`, formed by another node's store (its ReadStored), at the same positions with
  // the same bytes and the same index entries an Append of them would have written, in one
  // synced batch, then publishes the new head (WaitForHead wakes). Every record is checked
  // against the local log and the records before it, before anything is written: its position
  // is the head + 1; its bytes are the canonical StoredEvent of a body that parses and names that
  // position; its hash is the hash of its bytes; its prev_hash is the hash of the head (the
  // global chain) and its prev_stream_hash the hash of its stream's last event, whose version
  // it follows by one (the stream chain); its instant is after the head's; its stream and event
  // ids are well formed and its event id is new. Returns the new head; on failure nothing of the
  // batch is written:
  //   InvalidArgument    no record, more than kReplicatedRecordsMax, or more than
  //                      kReplicatedBytesMax bytes;
  //   FailedPrecondition the store is not a replica (Options::replica, SetReplica) or is
  //                      read-only; a record out of position (ReplicaPositionError);
  //   DataLoss           a record that does not chain (ReplicaChainError, naming its position);
  //   ResourceExhausted, Unavailable, Internal  storage failed, as Append's.
  // Calls are serialised with one another (a follower runs one replication loop anyway).
  absl::StatusOr<LogHead> AppendReplicated(const std::vector<StoredRecord>& records);

  // ---- Cluster: the role, the fencing term, a tail set aside (event_store_cluster.cc). ----

  // Changes the role at run time (a node elected leader, or following another).
  // SetReplica(true): Append is refused from its return on, FailedPrecondition as on a store
  // opened with Options::replica; appends queued before it that no group commit has taken are
  // refused so too, and those a group commit took are written or failed before it returns: no
  // local write lands after it. Then AppendReplicated and SetAsideAfter are accepted.
  // SetReplica(false): waits for an AppendReplicated or SetAsideAfter in flight, then refuses
  // them (FailedPrecondition as on a store opened without Options::replica) and accepts Append,
  // whose first group starts from the head replication left.
  // While SetReplica(true) waits for the queued appends, both Append and AppendReplicated are
  // refused. Setting the role a store already has changes nothing. On a read-only store it is a
  // no-op (such a store takes neither kind of write; is_replica() stays false). Calls are
  // serialised with one another.
  void SetReplica(bool replica);
  // The role the last SetReplica set (Options::replica before any): true when AppendReplicated
  // is accepted. During a SetReplica call, the role before it.
  bool is_replica() const;

  // The fencing term: an opaque number the cluster gives meaning to (the term of the leader
  // whose records the log last took), persisted in the meta family ("term", key_layout.h). 0 for
  // a log that never had one.
  uint64_t term() const;
  // Records `term` with a synced write (whatever Options::sync says). OkStatus, and nothing
  // written, if it is already the term; FailedPrecondition naming both terms if it is below
  // (a term never goes down), or if the store is read-only; the storage errors of Append
  // (nothing recorded: term() is unchanged). Serialised with every write of the store.
  absl::Status RaiseTerm(uint64_t term);

  // Sets aside the records after `position`: a former leader's last records no other node took,
  // before it follows the new leader (whose log diverges from there). First copies every record
  // of position+1..head, exactly as stored, into a new file in `directory` (set_aside.h: created
  // if missing, with a text manifest; files and directory fsynced), then removes those records
  // and every index entry they added, in one synced WriteBatch. A crash or an error between the
  // two leaves the log whole (the file is then a spare copy); after it, every read, version,
  // event-id look-up, verification and WaitForHead sees the log as it was at `position`, and
  // AppendReplicated continues from position + 1. Returns what was set aside, all zero (no file
  // created) when position is the head. Errors, with nothing removed:
  //   FailedPrecondition the store is not a replica (SetReplica) or is read-only;
  //   InvalidArgument    position is past the head, or more than
  //                      Options::set_aside_records_max (kSetAsideRecordsMax) records follow it
  //                      (all or nothing: a larger tail is refused, not cut); an empty directory;
  //   DataLoss           a record or one of its index entries is not what the log implies;
  //   ResourceExhausted, Unavailable, Internal  storage or file errors. If writing the removal
  //                      fails (the file is then kept, and named), the log is whole unless the
  //                      error is Unavailable: a write whose sync failed may show after a restart.
  // Serialised with AppendReplicated; reads go on meanwhile. The head goes back to `position`
  // just before the removal is written, so that reads bounded by it (ReadStored, Verify) never
  // reach for a record as it goes.
  absl::StatusOr<SetAsideResult> SetAsideAfter(uint64_t position, const std::string& directory);

  // Up to `max_count` records from `from_position` (0 reads as 1) on, exactly as stored, in
  // position order, and no more than `bytes_max` bytes of values (at least one record): what a
  // leader sends its followers. Empty past the head. InvalidArgument for max_count outside
  // 1..kReplicatedRecordsMax; DataLoss naming a missing position or a key that does not decode.
  absl::StatusOr<std::vector<StoredRecord>> ReadStored(uint64_t from_position, size_t max_count,
                                                       size_t bytes_max) const;

  // Up to `max_count` events of `stream_id` in version order, starting at `from_version`:
  // forward returns versions >= from_version (0 reads as 1); backward returns versions
  // <= from_version, newest first (kStreamEnd: from the last). An unknown stream, or a
  // from_version past its end (forward), gives an empty vector. InvalidArgument for a bad
  // stream id or max_count outside 1..kReadEventsMax; DataLoss naming the position of an event
  // that does not decode or does not belong where the index puts it.
  absl::StatusOr<std::vector<RecordedEvent>> ReadStream(std::string_view stream_id,
                                                        uint64_t from_version,
                                                        Direction direction,
                                                        size_t max_count) const;

  // Up to `max_count` events at positions >= from_position (0 reads as 1), in position order;
  // empty past the head. InvalidArgument for max_count outside 1..kReadEventsMax; DataLoss
  // naming the position of an event that does not decode.
  absl::StatusOr<std::vector<RecordedEvent>> ReadAll(uint64_t from_position,
                                                     size_t max_count) const;

  // The event at `position`. InvalidArgument for 0, NotFound past the head, DataLoss if bad.
  absl::StatusOr<RecordedEvent> Read(uint64_t position) const;

  // The event recorded under `event_id`. InvalidArgument for a malformed id, NotFound if
  // unknown, DataLoss if the index or the event is bad.
  absl::StatusOr<RecordedEvent> FindByEventId(std::string_view event_id) const;

  // The last event's position, hash and instant; {0, GenesisHash(), 0} for an empty log.
  // Under Damage(), the hash and instant of a head that does not decode are GenesisHash() and 0.
  LogHead Head() const;

  // What an Open with tolerate_damage found and worked around, one sentence per finding; empty
  // for an intact ledger (and always without tolerate_damage, whose Open refuses damage).
  const std::vector<std::string>& Damage() const { return damage_; }

  // The last version of `stream_id`, 0 if it has no event. InvalidArgument for a bad id;
  // DataLoss if its index is bad.
  absl::StatusOr<uint64_t> StreamVersion(std::string_view stream_id) const;

  // The ids of the streams starting with `prefix` ("" for all), sorted bytewise, at most
  // `max_count`. InvalidArgument for max_count outside 1..kListStreamsMax; DataLoss if an
  // index key does not decode.
  absl::StatusOr<std::vector<std::string>> ListStreams(std::string_view prefix,
                                                       size_t max_count = kListStreamsMax) const;

  // One page of the streams `listing` asks for (see StreamListing): the entries sorting after
  // listing.start_after, sorted bytewise, at most listing.max_count; a page shorter than
  // max_count is the last. InvalidArgument naming the field for a prefix or start_after that
  // could not be part of a stream id (over kStreamIdBytesMax bytes, not printable ASCII), a
  // delimiter that is not printable ASCII, or max_count outside 1..kListStreamsMax; DataLoss if
  // an index key does not decode.
  absl::StatusOr<std::vector<std::string>> ListStreams(const StreamListing& listing) const;

  // Whole streams whose ids start with `prefix` ("" for all) and sort after `start_after` (""
  // from the first), in id order, each with every event in version order, as many as fit in
  // `max_events` events (1..kReadStreamsEventsMax); page.last says none is left after them.
  // One snapshot: the stream index under the prefix is walked once, then the records of the
  // whole page are read together in position order (one batched read, not one per stream),
  // which is how a reader of many streams spread over the log (every stream of one tenant)
  // reads them fastest. ResourceExhausted if the first stream alone holds more than
  // max_events events (read it with ReadStream); InvalidArgument naming the field as
  // ListStreams; DataLoss as ReadStream.
  absl::StatusOr<StreamsPage> ReadStreamsUnder(std::string_view prefix,
                                               std::string_view start_after,
                                               size_t max_events) const;

  // Recomputes the global chain over positions from_position..to_position, starting from the
  // stored hash of from_position - 1. The report names the first position whose record or body
  // does not parse, whose hash is not the hash of its bytes, whose prev_hash is not the hash of
  // the position before, or whose body names another position. InvalidArgument unless
  // 1 <= from_position <= to_position <= Head().position; storage errors otherwise.
  absl::StatusOr<VerifyReport> Verify(uint64_t from_position, uint64_t to_position) const;

  // Checks the stream and event id indexes against the events of from_position..to_position,
  // and, over the whole log (1..Head()), that they hold no entry no event backs (VerifyIndexes
  // in verifier.h). Same arguments and errors as Verify; run it on a range Verify found intact.
  absl::StatusOr<VerifyReport> VerifyIndexes(uint64_t from_position, uint64_t to_position) const;

  // Checks `stream_id` alone: versions 1..n gap-free in its index, each pointing to an event
  // whose body names that stream and version, whose hash is the hash of its own bytes and whose
  // prev_stream_hash is the hash of the stream's previous event (zeros for version 1).
  // NotFound if the stream has no event; InvalidArgument for a bad id; storage errors otherwise.
  absl::StatusOr<VerifyReport> VerifyStream(std::string_view stream_id) const;

  // Blocks until the head position is above `after_position` or `deadline` passes; returns the
  // head position then (<= after_position on timeout). Woken by every successful append; then
  // ReadAll(after_position + 1, ...) reads what arrived.
  uint64_t WaitForHead(uint64_t after_position, absl::Time deadline) const;

  // Counters of the writer since Open (see StoreStats).
  StoreStats Stats() const;

  // The bytes the ledger takes on disk now: its table files and its write-ahead log files
  // (RocksDB's estimate: files being written or deleted meanwhile may be missed). 0 for what
  // cannot be read. For metrics: it walks the write-ahead log files, not for every call.
  uint64_t DiskBytes() const;

  // Makes every append acknowledged so far durable (fsync of the write-ahead log): the end of a
  // bulk load run with Options::sync = false. OkStatus, or Unavailable on an I/O error;
  // FailedPrecondition if read-only.
  absl::Status Sync();

  // Flushes the log and its indexes from memory to table files and compacts them (RocksDB's
  // Flush and CompactRange of every family): after a bulk load, so that later opens do not
  // replay it from the write-ahead log and reads find each event in one compacted file. Appends
  // and reads go on meanwhile. OkStatus, the storage error, or FailedPrecondition if read-only.
  absl::Status Compact();

 private:
  friend class BackupAccess;

  EventStore(Options options, std::unique_ptr<Storage> storage, LogHead head, uint64_t term);

  // SetAsideAfter once its checks passed: copies records position+1..head_before.position to a
  // new file in `directory`, then removes them and publishes the head at `position`.
  absl::StatusOr<SetAsideResult> SetAsideTail(uint64_t position, const LogHead& head_before,
                                              const std::string& directory)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(commit_mu_);

  // Leads the group at the front of the queue: gathers and decides it, writes, publishes, wakes.
  void LeadGroup() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Extends `group`, a prefix of the queue, with the requests queued behind it, as far as the
  // kGroupCommit*Max bounds allow; the first request is always taken. Returns how many it took.
  size_t TakeQueued(std::vector<AppendRequest*>* group) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // TakeQueued, after waiting until `deadline` at most for the callers of the previous group to
  // come back (see gather_calls_); 0 once nothing more is to be taken.
  size_t GatherGroup(std::vector<AppendRequest*>* group, absl::Time deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Gathers, decides and writes a group into `group`. Returns the new head if a batch was
  // written, nullopt if the group wrote nothing, the write error if the write failed (each
  // request already has it).
  // Sets `write_time` to the time of the batch's write when one was written.
  absl::StatusOr<std::optional<LogHead>> CommitGroup(std::vector<AppendRequest*>* group,
                                                     LogHead head, absl::Duration* write_time)
      ABSL_LOCKS_EXCLUDED(mu_, commit_mu_);
  // After a failed write: asks RocksDB to resume writing (DB::Resume), forgets the cached stream
  // tips and returns the head of the log as stored; the error if RocksDB cannot resume yet.
  absl::StatusOr<LogHead> ResumeWrites() ABSL_LOCKS_EXCLUDED(mu_, commit_mu_);
  // Dequeues and wakes `group`, publishes `new_head`, counts outcomes, wakes the next leader.
  // `write_time` is how long the batch's write took (zero when nothing was written).
  void FinishGroup(const std::vector<AppendRequest*>& group,
                   const std::optional<LogHead>& new_head, absl::Duration write_time)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;  // options_.replica: the role at Open only (see replica_)
  const std::function<int64_t()> clock_us_;
  const std::unique_ptr<Storage> storage_;
  std::vector<std::string> damage_;  // set once by Open

  mutable absl::Mutex mu_;
  std::deque<AppendRequest*> queue_ ABSL_GUARDED_BY(mu_);  // the front one leads
  LogHead head_ ABSL_GUARDED_BY(mu_);                      // committed and published
  StoreStats stats_ ABSL_GUARDED_BY(mu_);
  mutable absl::CondVar head_advanced_;  // signalled with mu_ held when head_ moves forward
  absl::CondVar queue_emptied_;          // signalled with mu_ held when queue_ becomes empty

  // The role (SetReplica). appends_refused_ is set first and cleared last, with mu_ held; it is
  // read without mu_ only to refuse early, and again with mu_ before a request is queued.
  // replica_ changes with commit_mu_ and mu_ held, and once the queue is empty, so that a writer
  // holding commit_mu_ sees it stable: no group commit and no replicated write ever overlap.
  std::atomic<bool> appends_refused_;
  std::atomic<bool> replica_;
  absl::Mutex role_mu_;                 // serialises SetReplica; taken before the others
  uint64_t term_ ABSL_GUARDED_BY(mu_);  // changes with commit_mu_ held too

  // Set by a failed write (a full disk, an I/O error): RocksDB then refuses writes. The next
  // group's leader calls ResumeWrites first; until it succeeds, appends fail with this error's
  // code (RESOURCE_EXHAUSTED for a full disk). Reads are not affected.
  absl::Status write_error_ ABSL_GUARDED_BY(mu_);

  // Gathering. Callers that append one call after another (a closed loop: each waits for its
  // answer before sending the next) come back together when their group is answered; a leader
  // that wrote at once would carry only the first ones back, and the others would wait for the
  // next sync. So a leader waits for as many arrivals since the last group finished as that
  // group carried calls (deciding those already queued meanwhile), for a bounded time
  // (kGroupGatherWait*). A wait that times out is not repeated by the next leader, so callers
  // that do not come back cost one wait, not one per group.
  size_t gather_calls_ ABSL_GUARDED_BY(mu_) = 0;  // the calls of the last group finished
  size_t arrivals_ ABSL_GUARDED_BY(mu_) = 0;      // the calls queued since it finished
  bool gather_timed_out_ ABSL_GUARDED_BY(mu_) = false;
  bool gather_may_wait_ ABSL_GUARDED_BY(mu_) = false;  // the current leader's
  bool gather_waited_ ABSL_GUARDED_BY(mu_) = false;    // the current leader's
  bool gathering_ ABSL_GUARDED_BY(mu_) = false;        // the leader waits on arrived_
  absl::CondVar arrived_;  // signalled with mu_ held when a call is queued while gathering_

  // Held by the leader while it decides and writes a group; never taken while holding mu_ (the
  // gathering leader takes mu_ inside it). Readers and new appenders are not blocked by the sync.
  absl::Mutex commit_mu_;
  const std::unique_ptr<StreamTips> tips_ ABSL_PT_GUARDED_BY(commit_mu_);
  absl::Duration last_write_time_ ABSL_GUARDED_BY(commit_mu_);  // of the last synced batch
};

}  // namespace clas::ledger

#endif  // CLAS_LEDGER_EVENT_STORE_H_
