// The rows of the benchmark table: one JSON object per line, appended to a file that every
// benchmark program of tools/bench.sh shares, then rendered as one Markdown table.
//
//   {"row": "<short id>", "what": "<label>", "scale": N, "ours": "<text>", "baseline": "<text>",
//    "ratio": "<text>", "goal": "<text>", "met": true|false|null}
//
// Thread-safety: functions on values.
#ifndef CLAS_TOOLS_BENCH_ROWS_H_
#define CLAS_TOOLS_BENCH_ROWS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace clas::bench {

struct Row {
  std::string row;
  std::string what;
  int scale = 1;
  std::string ours;
  std::string baseline;
  std::string ratio;
  std::string goal;
  std::optional<bool> met;
};

// The row as one line of JSON (no newline).
std::string RowJson(const Row& row);
// Appends the row to `path` as one line. Unavailable when the file cannot be written.
absl::Status AppendRow(const std::string& path, const Row& row);
// Parses one line written by RowJson (or any flat JSON object with these keys).
// InvalidArgument naming the line when it is not one.
absl::StatusOr<Row> ParseRow(const std::string& line);
// Every row of the file, in order; empty lines are skipped.
absl::StatusOr<std::vector<Row>> ReadRows(const std::string& path);
// A count rounded to the unit, its thousands apart: 1234567 -> "1 234 567".
std::string Grouped(double value);
// One Markdown table: the rows grouped by id (in order of first appearance), then by scale.
std::string RenderTable(std::vector<Row> rows);

}  // namespace clas::bench

#endif  // CLAS_TOOLS_BENCH_ROWS_H_
