#include "projections/engine/command_text.h"

#include <string>
#include <string_view>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "projections/core/violation.h"

namespace clas {
namespace {

namespace pb = google::protobuf;

// Commands nest a few levels (a request, its collectifs, their levels); deeper is not a command.
constexpr int kTextDepthMax = 16;

// Whether `text` is well-formed UTF-8 (RFC 3629: shortest forms, no surrogates, at most
// U+10FFFF).
bool IsUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    uint32_t min = 0, code = 0;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xE0) == 0xC0) { length = 2; min = 0x80; code = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { length = 3; min = 0x800; code = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { length = 4; min = 0x10000; code = c & 0x07; }
    else return false;
    if (i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      const unsigned char next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

// The path of the first string field of `message` that is not UTF-8 ("" if none), and its value.
std::string FindBadText(const pb::Message& message, const std::string& prefix, int depth,
                        std::string* value) {
  if (depth > kTextDepthMax) return "";
  const pb::Reflection* reflection = message.GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const pb::FieldDescriptor* field : fields) {
    const std::string name = prefix + field->name();
    const int count = field->is_repeated() ? reflection->FieldSize(message, field) : 1;
    for (int i = 0; i < count; ++i) {
      const std::string path = field->is_repeated() ? absl::StrCat(name, "[", i, "]") : name;
      if (field->type() == pb::FieldDescriptor::TYPE_STRING) {
        const std::string text = field->is_repeated()
                                     ? reflection->GetRepeatedString(message, field, i)
                                     : reflection->GetString(message, field);
        if (!IsUtf8(text)) {
          *value = text;
          return path;
        }
      } else if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
        const pb::Message& sub = field->is_repeated()
                                     ? reflection->GetRepeatedMessage(message, field, i)
                                     : reflection->GetMessage(message, field);
        std::string found = FindBadText(sub, path + ".", depth + 1, value);
        if (!found.empty()) return found;
      }
    }
  }
  return "";
}

}  // namespace

absl::Status CheckCommandText(const pb::Message& command) {
  std::string value;
  const std::string field = FindBadText(command, "", 0, &value);
  if (field.empty()) return absl::OkStatus();
  Violations v;
  v.Add(RuleError("R-HIST-1", "§9", field, absl::CHexEscape(value),
                  "texte qui n'est pas de l'UTF-8 valide : il ne pourrait pas être relu dans le "
                  "journal"));
  return v.ToStatus(absl::StatusCode::kInvalidArgument);
}

bool IsPrintableAscii(std::string_view text) {
  for (const char c : text) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

}  // namespace clas
