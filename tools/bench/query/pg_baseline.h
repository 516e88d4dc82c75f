// The PostgreSQL baseline of the as-of query: the events of the streams a GetConvention reads
// (the convention's, its gestionnaire's, the barèmes') in a table `events` (stream id, version,
// position, instant, effective date, payload bytea: the ledger's event body, unique key
// (stream_id, version)), in the schema bench_query of the database given. A query selects the
// events recorded by the known-at instant, in one round trip, decodes them and folds them with
// the engine's own fold: what differs from the ledger is the storage and read path.
//
// Thread-safety: none (one connection).
#ifndef CLAS_TOOLS_BENCH_QUERY_PG_BASELINE_H_
#define CLAS_TOOLS_BENCH_QUERY_PG_BASELINE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clas/ledger/v1/record.pb.h"
#include "clas/v1/state.pb.h"
#include "projections/convention/fold.h"

struct pg_conn;

namespace clas::bench {

class PgBaseline {
 public:
  // Connects; Unavailable with libpq's message otherwise.
  static absl::StatusOr<std::unique_ptr<PgBaseline>> Connect(const std::string& conninfo);
  ~PgBaseline();

  // (Re)creates bench_query.events and loads `bodies` (each a recorded event's body).
  absl::Status Load(const std::vector<ledger::v1::EventBody>& bodies);

  // The convention `convention_stream` as of `as_of`, its gestionnaire read from
  // `gestionnaire_stream`, the barèmes from the barème stream.
  absl::StatusOr<v1::ConventionState> GetConvention(const std::string& convention_stream,
                                                    const std::string& gestionnaire_stream,
                                                    const AsOf& as_of);

  // Drops the schema.
  void Drop();

 private:
  explicit PgBaseline(pg_conn* conn) : conn_(conn) {}
  absl::Status Exec(const std::string& sql);

  pg_conn* conn_;
};

}  // namespace clas::bench

#endif  // CLAS_TOOLS_BENCH_QUERY_PG_BASELINE_H_
