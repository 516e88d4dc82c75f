#include "ledger/types.h"

#include "absl/strings/str_cat.h"

namespace clas::ledger {

bool ExpectedVersion::Admits(uint64_t current_version) const {
  switch (kind) {
    case Kind::kAny:
      return true;
    case Kind::kNoStream:
      return current_version == 0;
    case Kind::kExactly:
      return current_version == version;
  }
  return false;
}

std::string ExpectedVersion::ToString() const {
  switch (kind) {
    case Kind::kAny:
      return "any";
    case Kind::kNoStream:
      return "no stream";
    case Kind::kExactly:
      return absl::StrCat("version ", version);
  }
  return "?";
}

}  // namespace clas::ledger
