#include "server/state_diff.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/text_format.h"

namespace clas::server {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Bounds the recursion: a state is a few levels deep.
constexpr int kDepthMax = 12;

std::string ScalarText(const Message& m, const FieldDescriptor* f, int index) {
  std::string out;
  google::protobuf::TextFormat::PrintFieldValueToString(m, f, index, &out);
  return out;
}

void Diff(const Message* a, const Message* b, const std::string& path, int depth,
          std::vector<v1::FieldChange>& out);

void DiffField(const Message* a, const Message* b, const FieldDescriptor* f,
               const std::string& path, int depth, std::vector<v1::FieldChange>& out) {
  const Message& any = a != nullptr ? *a : *b;
  const Reflection* r = any.GetReflection();
  const int na = a == nullptr ? 0 : (f->is_repeated() ? r->FieldSize(*a, f) : 1);
  const int nb = b == nullptr ? 0 : (f->is_repeated() ? r->FieldSize(*b, f) : 1);
  for (int i = 0; i < std::max(na, nb); ++i) {
    const std::string p = f->is_repeated() ? absl::StrCat(path, "[", i, "]") : path;
    const int index = f->is_repeated() ? i : -1;
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !f->is_map()) {
      auto sub = [&](const Message* m, int n) -> const Message* {
        if (m == nullptr || i >= n) return nullptr;
        return f->is_repeated() ? &r->GetRepeatedMessage(*m, f, i) : &r->GetMessage(*m, f);
      };
      Diff(sub(a, na), sub(b, nb), p, depth + 1, out);
      continue;
    }
    const std::string va = (a != nullptr && i < na) ? ScalarText(*a, f, index) : "";
    const std::string vb = (b != nullptr && i < nb) ? ScalarText(*b, f, index) : "";
    if (va == vb) continue;
    v1::FieldChange change;
    change.set_path(p);
    change.set_before(va);
    change.set_after(vb);
    out.push_back(std::move(change));
  }
}

// Whether two messages hold the same fields, told by their bytes (equal bytes are equal fields;
// bytes that differ only by a map's order are then compared field by field).
bool SameBytes(const Message& a, const Message& b) {
  return a.ByteSizeLong() == b.ByteSizeLong() && a.SerializeAsString() == b.SerializeAsString();
}

void Diff(const Message* a, const Message* b, const std::string& path, int depth,
          std::vector<v1::FieldChange>& out) {
  if ((a == nullptr && b == nullptr) || depth > kDepthMax) return;
  // Most of a state does not change from one event to the next: equal parts are passed over
  // without looking at their fields (a replay's changes cost the size of the state, not that
  // of its text).
  if (a != nullptr && b != nullptr && depth > 0 && SameBytes(*a, *b)) return;
  const auto* descriptor = (a != nullptr ? a : b)->GetDescriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* f = descriptor->field(i);
    if (depth == 0 && (f->name() == "as_of_date" || f->name() == "known_at_us")) continue;
    DiffField(a, b, f, path.empty() ? f->name() : absl::StrCat(path, ".", f->name()), depth, out);
  }
}

}  // namespace

std::vector<v1::FieldChange> DiffStates(const Message& before, const Message& after) {
  std::vector<v1::FieldChange> out;
  Diff(&before, &after, "", 0, out);
  return out;
}

}  // namespace clas::server
