// Fuzz target: the parser of `clasctl import` files (tools/clasctl/import.h, JSON Lines of
// Conventions commands).
//
// Input: one byte (odd, e.g. "1": parse with --caf caf-75; even, e.g. "0": without), then the
// file's text.
//
// Properties, beyond "no crash, no undefined behaviour":
//   - every non-blank, non-comment line is either one command or one error, in file order, and
//     no line is counted twice;
//   - every command has a request id of 1 to 128 bytes, none used twice;
//   - with --caf, every command that names a Caf names that one;
//   - what is accepted can be written back (protobuf's JSON of the body, the same request id) and
//     reads back as the same request.
#include <algorithm>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "tests/fuzz/fuzz_support.h"
#include "tools/clasctl/import.h"

namespace clas::fuzz {
namespace {

namespace pb = google::protobuf;

std::string Field(const pb::Message& message, const char* name) {
  const pb::FieldDescriptor* field = message.GetDescriptor()->FindFieldByName(name);
  if (field == nullptr || field->type() != pb::FieldDescriptor::TYPE_STRING) return "";
  return message.GetReflection()->GetString(message, field);
}

const pb::Message& Command(const pb::Message& request) {
  return request.GetReflection()->GetMessage(request,
                                             request.GetDescriptor()->FindFieldByName("command"));
}

// The line a parsed command is written back as.
std::string WriteBack(const ctl::ImportLine& line) {
  std::string body;
  const auto printed = pb::util::MessageToJsonString(Command(*line.request), &body);
  FUZZ_CHECK(printed.ok(), printed.ToString());
  pb::Message* copy = line.request->New();
  copy->CopyFrom(*line.request);
  copy->GetReflection()->ClearField(copy, copy->GetDescriptor()->FindFieldByName("command"));
  std::string id_only;
  FUZZ_CHECK(pb::util::MessageToJsonString(*copy, &id_only).ok(), "request id");
  delete copy;
  // id_only is {"requestId":"..."}: keep the quoted value.
  const size_t colon = id_only.find(':');
  const std::string quoted_id = id_only.substr(colon + 1, id_only.size() - colon - 2);
  return absl::StrCat(R"({"command": ")", line.rpc, R"(", "request_id": )", quoted_id,
                      R"(, "body": )", body, "}");
}

}  // namespace
}  // namespace clas::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clas;
  if (size == 0) return 0;
  const std::string caf = (data[0] & 1) ? "caf-75" : "";
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const ctl::ParsedImport parsed = ctl::ParseImport(text, "fuzz.jsonl", caf);

  const int lines_in_file = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  std::set<int> seen;
  for (const ctl::ImportError& e : parsed.errors) {
    FUZZ_CHECK(e.line_number >= 1 && e.line_number <= lines_in_file, e.message);
    FUZZ_CHECK(seen.insert(e.line_number).second, absl::StrCat("line ", e.line_number, " twice"));
    FUZZ_CHECK(!e.message.empty(), "an error without a message");
  }
  std::set<std::string> ids;
  int previous = 0;
  for (const ctl::ImportLine& line : parsed.lines) {
    FUZZ_CHECK(line.line_number > previous && line.line_number <= lines_in_file,
               absl::StrCat(line.line_number));
    previous = line.line_number;
    FUZZ_CHECK(seen.insert(line.line_number).second, absl::StrCat("line ", line.line_number));
    const std::string id = fuzz::Field(*line.request, "request_id");
    FUZZ_CHECK(!id.empty() && id.size() <= 128, id);
    FUZZ_CHECK(ids.insert(id).second, "request id used twice: " + id);
    const std::string line_caf = fuzz::Field(fuzz::Command(*line.request), "caf_id");
    if (!caf.empty() && fuzz::Command(*line.request).GetDescriptor()->FindFieldByName("caf_id")) {
      FUZZ_CHECK(line_caf == caf, line_caf);
    }

    const std::string back = fuzz::WriteBack(line);
    const ctl::ParsedImport again = ctl::ParseImport(back, "fuzz.jsonl", caf);
    FUZZ_CHECK(again.errors.empty() && again.lines.size() == 1,
               absl::StrCat(back, "\n  ", again.errors.empty() ? "" : again.errors[0].message));
    FUZZ_CHECK(again.lines[0].rpc == line.rpc, again.lines[0].rpc);
    FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(*again.lines[0].request,
                                                                   *line.request),
               back);
  }
  int counted = 0;
  for (const auto& [rpc, n] : ctl::CountByRpc(parsed.lines)) counted += n;
  FUZZ_CHECK(counted == static_cast<int>(parsed.lines.size()), "CountByRpc");
  return 0;
}
