#include "server/grpc_status.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "google/rpc/status.pb.h"
#include "projections/core/violation.h"

namespace clas::server {
namespace {

// A refusal travels in the response's trailers, which a gRPC client takes only up to its
// metadata limit (8 KiB by default): beyond it the client sees RESOURCE_EXHAUSTED and loses the
// refusal. A request's own text (a 10 000-character id, a thousand failed collectifs) must not
// make the answer unreadable, so the message and the details are bounded here, the one place
// every status goes through. Non-ASCII text is percent-encoded in grpc-message (up to 3 bytes per
// byte) and the details base64-encoded (4 per 3): 1 KiB + 2 KiB stay well under 8 KiB.
constexpr size_t kMessageBytesMax = 1024;
constexpr size_t kDetailsBytesMax = 2048;
constexpr size_t kViolationTextBytesMax = 160;  // value and field of one violation
constexpr size_t kViolationMessageBytesMax = 512;
constexpr char kCut[] = "…";

// The first bytes of `text`, at most `max_bytes` with the mark of the cut, cut on a UTF-8
// character boundary (a proto string must stay valid UTF-8).
std::string Bounded(absl::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t cut = max_bytes - (sizeof(kCut) - 1);
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return absl::StrCat(text.substr(0, cut), kCut);
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  const std::string message = Bounded(status.message(), kMessageBytesMax);
  const auto violations = ViolationsOf(status);
  if (violations.empty()) return grpc::Status(code, message);
  v1::RuleViolations list;
  size_t left_out = 0;
  for (const auto& v : violations) {
    v1::RuleViolation shown = v;
    shown.set_field(Bounded(v.field(), kViolationTextBytesMax));
    shown.set_value(Bounded(v.value(), kViolationTextBytesMax));
    shown.set_message(Bounded(v.message(), kViolationMessageBytesMax));
    if (list.ByteSizeLong() + shown.ByteSizeLong() + 8 > kDetailsBytesMax) {
      ++left_out;
      continue;
    }
    *list.add_violations() = std::move(shown);
  }
  google::rpc::Status rich;
  rich.set_code(static_cast<int>(code));
  // The count of what was left out always shows: it goes after a shorter cut of the message.
  rich.set_message(left_out == 0 ? message
                                 : absl::StrCat(Bounded(status.message(), kMessageBytesMax - 64),
                                                "\n(+", left_out, " violations non détaillées)"));
  rich.add_details()->PackFrom(list);
  return grpc::Status(code, rich.message(), rich.SerializeAsString());
}

}  // namespace clas::server
