#include "tools/bench/rows.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace clas::bench {
namespace {

std::string Quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// A flat JSON object's values, as text (strings unescaped; numbers, booleans and null as written).
class FlatParser {
 public:
  explicit FlatParser(const std::string& text) : text_(text) {}

  bool Parse(std::map<std::string, std::string>* out) {
    Skip();
    if (!Eat('{')) return false;
    Skip();
    if (Eat('}')) return true;
    while (true) {
      std::string key, value;
      Skip();
      if (!String(&key)) return false;
      Skip();
      if (!Eat(':')) return false;
      Skip();
      if (Peek() == '"') {
        if (!String(&value)) return false;
      } else {
        while (at_ < text_.size() && text_[at_] != ',' && text_[at_] != '}' &&
               text_[at_] != ' ') {
          value += text_[at_++];
        }
        if (value.empty()) return false;
      }
      (*out)[key] = value;
      Skip();
      if (Eat(',')) continue;
      return Eat('}');
    }
  }

 private:
  char Peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++at_;
    return true;
  }
  void Skip() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t')) ++at_;
  }
  bool String(std::string* out) {
    if (!Eat('"')) return false;
    while (at_ < text_.size()) {
      const char c = text_[at_++];
      if (c == '"') return true;
      if (c != '\\') {
        *out += c;
        continue;
      }
      if (at_ >= text_.size()) return false;
      const char e = text_[at_++];
      switch (e) {
        case 'n': *out += '\n'; break;
        case 't': *out += '\t'; break;
        case 'u': {
          if (at_ + 4 > text_.size()) return false;
          unsigned value = 0;
          if (!absl::SimpleHexAtoi(text_.substr(at_, 4), &value)) return false;
          at_ += 4;
          if (value < 0x80) {
            *out += static_cast<char>(value);
          } else if (value < 0x800) {
            *out += static_cast<char>(0xC0 | (value >> 6));
            *out += static_cast<char>(0x80 | (value & 0x3F));
          } else {
            *out += static_cast<char>(0xE0 | (value >> 12));
            *out += static_cast<char>(0x80 | ((value >> 6) & 0x3F));
            *out += static_cast<char>(0x80 | (value & 0x3F));
          }
          break;
        }
        default: *out += e;
      }
    }
    return false;
  }

  const std::string& text_;
  size_t at_ = 0;
};

std::string Cell(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out.empty() ? "—" : out;
}

}  // namespace

std::string RowJson(const Row& row) {
  const std::string met = !row.met.has_value() ? "null" : (*row.met ? "true" : "false");
  return absl::StrCat("{\"row\": ", Quote(row.row), ", \"what\": ", Quote(row.what),
                      ", \"scale\": ", row.scale, ", \"ours\": ", Quote(row.ours),
                      ", \"baseline\": ", Quote(row.baseline), ", \"ratio\": ", Quote(row.ratio),
                      ", \"goal\": ", Quote(row.goal), ", \"met\": ", met, "}");
}

absl::Status AppendRow(const std::string& path, const Row& row) {
  std::FILE* file = std::fopen(path.c_str(), "a");
  if (file == nullptr) return absl::UnavailableError(absl::StrCat("cannot append to ", path));
  const std::string line = RowJson(row) + "\n";
  const bool ok = std::fwrite(line.data(), 1, line.size(), file) == line.size();
  if (std::fclose(file) != 0 || !ok) {
    return absl::UnavailableError(absl::StrCat("cannot write to ", path));
  }
  return absl::OkStatus();
}

absl::StatusOr<Row> ParseRow(const std::string& line) {
  std::map<std::string, std::string> values;
  if (!FlatParser(line).Parse(&values) || !values.contains("row")) {
    return absl::InvalidArgumentError(absl::StrCat("not a row: ", line));
  }
  Row row;
  row.row = values["row"];
  row.what = values["what"];
  if (!absl::SimpleAtoi(values["scale"], &row.scale)) row.scale = 0;
  row.ours = values["ours"];
  row.baseline = values["baseline"];
  row.ratio = values["ratio"];
  row.goal = values["goal"];
  if (values["met"] == "true") row.met = true;
  if (values["met"] == "false") row.met = false;
  return row;
}

absl::StatusOr<std::vector<Row>> ReadRows(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::vector<Row> rows;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    absl::StatusOr<Row> row = ParseRow(line);
    if (!row.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", number, ": ", row.status().message()));
    }
    rows.push_back(*std::move(row));
  }
  return rows;
}

std::string RenderTable(std::vector<Row> rows) {
  std::map<std::string, size_t> first_seen;
  for (size_t i = 0; i < rows.size(); ++i) first_seen.emplace(rows[i].row, i);
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    if (first_seen[a.row] != first_seen[b.row]) return first_seen[a.row] < first_seen[b.row];
    return a.scale < b.scale;
  });
  std::string out =
      "| what | scale | ours | baseline in the same run | ours / baseline | goal | met |\n"
      "|---|---|---|---|---|---|---|\n";
  for (const Row& r : rows) {
    const std::string met = !r.met.has_value() ? "—" : (*r.met ? "yes" : "**no**");
    absl::StrAppend(&out, "| ", Cell(r.what), " | ×", r.scale, " | ", Cell(r.ours), " | ",
                    Cell(r.baseline), " | ", Cell(r.ratio), " | ", Cell(r.goal), " | ", met,
                    " |\n");
  }
  return out;
}

std::string Grouped(double value) {
  std::string digits = absl::StrCat(static_cast<int64_t>(value + 0.5));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ' ';
    out += digits[i];
  }
  return out;
}

}  // namespace clas::bench
