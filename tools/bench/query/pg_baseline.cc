#include "tools/bench/query/pg_baseline.h"

#include <libpq-fe.h>

#include <cstring>
#include <optional>

#include "absl/strings/str_cat.h"
#include "ledger/base/status_macros.h"
#include "projections/convention/domain_event.h"
#include "projections/convention/gestionnaire.h"

namespace clas::bench {
namespace {

constexpr char kSelect[] =
    "SELECT stream_id, payload FROM bench_query.events "
    "WHERE stream_id = ANY($1::text[]) AND recorded_at_us <= $2::bigint "
    "ORDER BY stream_id, version";

// A text[] literal of plain ids (stream ids hold no quote, brace or comma).
std::string ArrayLiteral(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) absl::StrAppend(&out, i ? "," : "", "\"", items[i], "\"");
  return out + "}";
}

}  // namespace

absl::StatusOr<std::unique_ptr<PgBaseline>> PgBaseline::Connect(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    return absl::UnavailableError(absl::StrCat("PostgreSQL (", conninfo, "): ", message));
  }
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);  // DROP ... IF EXISTS notices
  return std::unique_ptr<PgBaseline>(new PgBaseline(conn));
}

PgBaseline::~PgBaseline() { PQfinish(conn_); }

absl::Status PgBaseline::Exec(const std::string& sql) {
  PGresult* r = PQexec(conn_, sql.c_str());
  const ExecStatusType st = PQresultStatus(r);
  std::string message = PQresultErrorMessage(r);
  PQclear(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    return absl::InternalError(absl::StrCat("PostgreSQL: ", message, " in: ", sql));
  }
  return absl::OkStatus();
}

absl::Status PgBaseline::Load(const std::vector<ledger::v1::EventBody>& bodies) {
  RETURN_IF_ERROR(Exec("DROP SCHEMA IF EXISTS bench_query CASCADE"));
  RETURN_IF_ERROR(Exec("CREATE SCHEMA bench_query"));
  RETURN_IF_ERROR(Exec(
      "CREATE TABLE bench_query.events (stream_id text NOT NULL, version bigint NOT NULL, "
      "position bigint NOT NULL UNIQUE, recorded_at_us bigint NOT NULL, "
      "effective_date integer NOT NULL, payload bytea NOT NULL, PRIMARY KEY (stream_id, version))"));
  RETURN_IF_ERROR(Exec("BEGIN"));
  constexpr char kInsert[] =
      "INSERT INTO bench_query.events VALUES ($1, $2::bigint, $3::bigint, $4::bigint, "
      "$5::integer, $6::bytea)";
  for (const auto& body : bodies) {
    ASSIGN_OR_RETURN(DomainEvent e, FromRecord(body));
    const std::string bytes = body.SerializeAsString();
    const std::string version = absl::StrCat(body.stream_version()),
                      position = absl::StrCat(body.position()),
                      recorded = absl::StrCat(body.recorded_at_us()),
                      effective = absl::StrCat(e.effective_date);
    const char* values[6] = {body.stream_id().c_str(), version.c_str(), position.c_str(),
                             recorded.c_str(), effective.c_str(), bytes.data()};
    const int lengths[6] = {0, 0, 0, 0, 0, static_cast<int>(bytes.size())};
    const int formats[6] = {0, 0, 0, 0, 0, 1};
    PGresult* r = PQexecParams(conn_, kInsert, 6, nullptr, values, lengths, formats, 0);
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    std::string message = PQresultErrorMessage(r);
    PQclear(r);
    if (!ok) return absl::InternalError(absl::StrCat("PostgreSQL insert: ", message));
  }
  RETURN_IF_ERROR(Exec("COMMIT"));
  RETURN_IF_ERROR(Exec("ANALYZE bench_query.events"));
  PGresult* r = PQprepare(conn_, "bench_select", kSelect, 2, nullptr);
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  std::string message = PQresultErrorMessage(r);
  PQclear(r);
  if (!ok) return absl::InternalError(absl::StrCat("PostgreSQL prepare: ", message));
  return absl::OkStatus();
}

absl::StatusOr<v1::ConventionState> PgBaseline::GetConvention(
    const std::string& convention_stream, const std::string& gestionnaire_stream,
    const AsOf& as_of) {
  const std::string streams =
      ArrayLiteral({BaremeStream(), gestionnaire_stream, convention_stream});
  const std::string known = absl::StrCat(as_of.known_at_us);
  const char* values[2] = {streams.c_str(), known.c_str()};
  PGresult* r = PQexecPrepared(conn_, "bench_select", 2, values, nullptr, nullptr,
                               /*resultFormat=*/1);
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    std::string message = PQresultErrorMessage(r);
    PQclear(r);
    return absl::InternalError(absl::StrCat("PostgreSQL select: ", message));
  }
  std::vector<DomainEvent> baremes, gestionnaire, convention;
  const int rows = PQntuples(r);
  convention.reserve(rows);
  ledger::v1::EventBody body;
  for (int i = 0; i < rows; ++i) {
    const std::string_view stream(PQgetvalue(r, i, 0), PQgetlength(r, i, 0));
    if (!body.ParseFromArray(PQgetvalue(r, i, 1), PQgetlength(r, i, 1))) {
      PQclear(r);
      return absl::DataLossError("PostgreSQL: a payload does not parse");
    }
    absl::StatusOr<DomainEvent> e = FromRecord(body);
    if (!e.ok()) {
      PQclear(r);
      return e.status();
    }
    if (stream == convention_stream) {
      convention.push_back(*std::move(e));
    } else if (stream == gestionnaire_stream) {
      gestionnaire.push_back(*std::move(e));
    } else {
      baremes.push_back(*std::move(e));
    }
  }
  PQclear(r);
  // The same context the engine builds (Engine::LoadConvention, LoadGestionnaire).
  const BaremeBook book = BaremeBook::FromEvents(baremes, as_of);
  const std::optional<Gestionnaire> g =
      gestionnaire.empty() ? std::nullopt
                           : FoldGestionnaire(gestionnaire.front().caf_id, gestionnaire, as_of);
  const FoldContext context{.baremes = &book, .gestionnaire = g ? &*g : nullptr};
  return FoldConvention(convention, as_of, context);
}

void PgBaseline::Drop() { (void)Exec("DROP SCHEMA IF EXISTS bench_query CASCADE"); }

}  // namespace clas::bench
