// The token file: its parser and its loader. The grammar is in auth.h, with the API.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "ledger/base/status_macros.h"
#include "server/auth.h"

namespace clas::server {
namespace {

constexpr std::string_view kExpiresPrefix = "expires=";
constexpr std::string_view kExpiresLayout = "YYYY-MM-DDTHH:MM:SSZ";
constexpr std::string_view kAllCafs = "*";
constexpr size_t kRoleShownBytesMax = 32;  // of an unknown role, in a message
constexpr size_t kReadChunkBytes = 16 << 10;

absl::string_view Absl(std::string_view view) { return {view.data(), view.size()}; }
std::string_view Std(absl::string_view view) { return {view.data(), view.size()}; }

// Every error of one file, in line order.
class ErrorList {
 public:
  void Add(int line, std::string_view problem) {
    ++count_;
    if (reported_.size() < kTokenFileErrorsReportedMax) {
      reported_.push_back(absl::StrFormat("line %d: %s", line, problem));
    }
  }
  size_t count() const { return count_; }

  // InvalidArgument listing the errors, one a line.
  absl::Status ToStatus() const {
    CLAS_CHECK(count_ > 0) << "no error to report";
    std::string message = absl::StrFormat("token file has %d error%s:\n%s", count_,
                                          count_ == 1 ? "" : "s", absl::StrJoin(reported_, "\n"));
    if (count_ > reported_.size()) {
      absl::StrAppend(&message, "\n... and ", count_ - reported_.size(), " more");
    }
    return absl::InvalidArgumentError(message);
  }

 private:
  std::vector<std::string> reported_;
  size_t count_ = 0;
};

bool IsIdChar(char c) { return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-'; }

bool IsId(std::string_view id, size_t bytes_max) {
  if (id.empty() || id.size() > bytes_max) return false;
  for (const char c : id) {
    if (!IsIdChar(c)) return false;
  }
  return true;
}

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// The raw digest of a hash field, or nullopt if it is not "sha256:" and 64 lowercase hex digits.
std::optional<std::string> ParseHash(std::string_view field) {
  if (!absl::StartsWith(Absl(field), Absl(kTokenHashPrefix))) return std::nullopt;
  const std::string_view hex = field.substr(kTokenHashPrefix.size());
  if (hex.size() != 2 * kTokenDigestBytes) return std::nullopt;
  for (const char c : hex) {
    if (!IsLowerHex(c)) return std::nullopt;
  }
  return absl::HexStringToBytes(Absl(hex));
}

// The digits of text[begin, begin + count) as a number, or -1 if one is not a digit.
int Digits(std::string_view text, size_t begin, size_t count) {
  int value = 0;
  for (size_t i = begin; i < begin + count; ++i) {
    if (!absl::ascii_isdigit(text[i])) return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// The instant of "YYYY-MM-DDTHH:MM:SSZ", or nullopt if the text has another shape or names no
// real instant (month 13, 30 February, 24:00:00, a leap second: nothing is normalised).
std::optional<absl::Time> ParseExpiry(std::string_view text) {
  if (text.size() != kExpiresLayout.size()) return std::nullopt;
  for (size_t i = 0; i < text.size(); ++i) {
    const char layout = kExpiresLayout[i];
    const bool separator = layout == '-' || layout == ':' || layout == 'T' || layout == 'Z';
    if (separator ? text[i] != layout : !absl::ascii_isdigit(text[i])) return std::nullopt;
  }
  const int year = Digits(text, 0, 4), month = Digits(text, 5, 2), day = Digits(text, 8, 2);
  const int hour = Digits(text, 11, 2), minute = Digits(text, 14, 2);
  const int second = Digits(text, 17, 2);
  const absl::CivilSecond civil(year, month, day, hour, minute, second);
  if (civil.year() != year || civil.month() != month || civil.day() != day ||
      civil.hour() != hour || civil.minute() != minute || civil.second() != second) {
    return std::nullopt;
  }
  return absl::FromCivil(civil, absl::UTCTimeZone());
}

// Fills principal->cafs or ->all_cafs from a Caf list field, adding its errors.
void ParseCafs(std::string_view field, int line, ErrorList& errors, Principal* principal) {
  if (field == kAllCafs) {
    if (principal->role == Role::kAgent || principal->role == Role::kControleur) {
      errors.Add(line, absl::StrFormat("role %s may not have '*' (every Caf): list its Cafs",
                                       RoleName(principal->role)));
    }
    principal->all_cafs = true;
    return;
  }
  if (principal->role == Role::kReplica) {
    errors.Add(line, "role replica copies the whole log: its Caf list must be '*'");
    return;
  }
  const std::vector<absl::string_view> ids = absl::StrSplit(Absl(field), ',');
  if (ids.size() > kCafsPerEntryMax) {
    errors.Add(line, absl::StrFormat("more than %d Cafs in the Caf list", kCafsPerEntryMax));
    return;
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string_view id = Std(ids[i]);
    if (id == kAllCafs) {
      errors.Add(line, "'*' must stand alone in the Caf list");
    } else if (!IsId(id, kCafIdBytesMax)) {
      errors.Add(line, absl::StrFormat("Caf #%d of the list is not 1 to %d letters, digits, '.', "
                                       "'_' or '-'",
                                       i + 1, kCafIdBytesMax));
    } else if (!principal->cafs.emplace(id).second) {
      errors.Add(line, absl::StrFormat("Caf \"%s\" is listed twice", id));
    }
  }
}

// Checks one field after another; reports every bad field of the line.
std::optional<TokenEntry> ParseEntry(const std::vector<std::string_view>& fields, int line,
                                     ErrorList& errors) {
  CLAS_CHECK(fields.size() == 4 || fields.size() == 5) << fields.size() << " fields";
  const size_t errors_before = errors.count();
  TokenEntry entry;
  entry.line = line;
  // The hash field is never shown: a token pasted there by mistake must not reach a log.
  if (std::optional<std::string> digest = ParseHash(fields[0])) {
    entry.digest = *std::move(digest);
  } else {
    errors.Add(line,
               "the first field must be \"sha256:\" and 64 lowercase hex digits, the "
               "token's hash (never the token)");
  }
  if (!IsId(fields[1], kUserIdBytesMax) || !absl::ascii_isalnum(fields[1][0])) {
    errors.Add(line, absl::StrFormat("the user id must be 1 to %d letters, digits, '.', '_' or "
                                     "'-', starting with a letter or digit",
                                     kUserIdBytesMax));
  }
  entry.principal.user_id = std::string(fields[1]);
  if (std::optional<Role> role = RoleOfName(fields[2])) {
    entry.principal.role = *role;
    ParseCafs(fields[3], line, errors, &entry.principal);
  } else {
    const std::string_view shown = fields[2].substr(0, kRoleShownBytesMax);
    errors.Add(line, absl::StrFormat("unknown role \"%s\" (agent, controleur, auditeur, service, "
                                     "cnaf or replica)",
                                     absl::CHexEscape(Absl(shown))));
  }
  if (fields.size() == 5) {
    std::optional<absl::Time> expiry;
    if (absl::StartsWith(Absl(fields[4]), Absl(kExpiresPrefix))) {
      expiry = ParseExpiry(fields[4].substr(kExpiresPrefix.size()));
    }
    if (expiry.has_value()) {
      entry.expires_at = *expiry;
    } else {
      errors.Add(line, absl::StrFormat("the fifth field must be expires=%s, a real UTC instant",
                                       kExpiresLayout));
    }
  }
  if (errors.count() > errors_before) return std::nullopt;
  return entry;
}

bool SameGrant(const Principal& a, const Principal& b) {
  return a.role == b.role && a.cafs == b.cafs && a.all_cafs == b.all_cafs;
}

// The rules between lines: distinct hashes, one role and one Caf list per user id, at most
// kTokenEntriesMax entries.
class TableBuilder {
 public:
  void Add(TokenEntry entry, ErrorList& errors) {
    const int line = entry.line;
    if (entries_.size() == kTokenEntriesMax) {
      if (!limit_reported_) {
        errors.Add(line, absl::StrFormat("more than %d entries", kTokenEntriesMax));
      }
      limit_reported_ = true;
      return;
    }
    const auto [hash, hash_is_new] = line_of_digest_.emplace(entry.digest, line);
    if (!hash_is_new) {
      errors.Add(line, absl::StrFormat("this hash is already used on line %d", hash->second));
      return;
    }
    const auto [user, user_is_new] =
        index_of_user_.emplace(entry.principal.user_id, entries_.size());
    if (!user_is_new && !SameGrant(entries_[user->second].principal, entry.principal)) {
      errors.Add(line, absl::StrFormat("user \"%s\" is declared on line %d with another role or "
                                       "Caf list",
                                       entry.principal.user_id, entries_[user->second].line));
      return;
    }
    entries_.push_back(std::move(entry));
  }

  std::vector<TokenEntry> Take() && { return std::move(entries_); }

 private:
  std::vector<TokenEntry> entries_;
  std::map<std::string, int> line_of_digest_;
  std::map<std::string, size_t> index_of_user_;  // its first entry
  bool limit_reported_ = false;
};

// The fields of one line, or none for a blank line, a comment or a bad line (whose error it
// adds).
std::vector<std::string_view> SplitLine(std::string_view text, int line, ErrorList& errors) {
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  if (text.size() > kTokenFileLineBytesMax) {
    errors.Add(line, absl::StrFormat("longer than %d bytes", kTokenFileLineBytesMax));
    return {};
  }
  const std::string_view trimmed = Std(absl::StripAsciiWhitespace(Absl(text)));
  if (trimmed.empty() || trimmed.front() == '#') return {};
  for (size_t i = 0; i < trimmed.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(trimmed[i]);
    if (c != '\t' && (c < 0x20 || c > 0x7e)) {
      const size_t column = static_cast<size_t>(trimmed.data() - text.data()) + i + 1;
      errors.Add(line,
                 absl::StrFormat("byte 0x%02x at column %d is not printable ASCII", c, column));
      return {};
    }
  }
  std::vector<std::string_view> fields;
  for (const absl::string_view field :
       absl::StrSplit(Absl(trimmed), absl::ByAnyChar(" \t"), absl::SkipEmpty())) {
    fields.push_back(Std(field));
  }
  if (fields.size() != 4 && fields.size() != 5) {
    errors.Add(line, absl::StrFormat("expected 4 or 5 fields (hash, user id, role, Caf list, "
                                     "[expires=...]), found %d",
                                     fields.size()));
    return {};
  }
  return fields;
}

struct FileCloser {
  int fd;
  ~FileCloser() { close(fd); }
};

// The bytes of an open file, at most kTokenFileBytesMax of them.
absl::StatusOr<std::string> ReadAll(int fd, const std::string& path) {
  std::string text;
  char chunk[kReadChunkBytes];
  while (true) {
    const ssize_t got = read(fd, chunk, sizeof chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return absl::ErrnoToStatus(errno, absl::StrFormat("token file %s: read", path));
    if (got == 0) return text;
    text.append(chunk, static_cast<size_t>(got));
    if (text.size() > kTokenFileBytesMax) {
      return absl::InvalidArgumentError(
          absl::StrFormat("token file %s: more than %d bytes", path, kTokenFileBytesMax));
    }
  }
}

absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  // O_NONBLOCK: opening a FIFO must not hang the server (fstat then refuses it); it changes
  // nothing for a regular file.
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrFormat("token file %s: open", path));
  const FileCloser closer{fd};
  struct stat info;
  if (fstat(fd, &info) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrFormat("token file %s: stat", path));
  }
  if (!S_ISREG(info.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrFormat("token file %s: not a regular file", path));
  }
  if ((info.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "token file %s: writable by group or others (mode %04o): whoever may write it may grant "
        "himself any role; chmod go-w",
        path, info.st_mode & 07777));
  }
  return ReadAll(fd, path);
}

}  // namespace

absl::StatusOr<TokenTable> ParseTokenFile(std::string_view text) {
  if (text.size() > kTokenFileBytesMax) {
    return absl::InvalidArgumentError(
        absl::StrFormat("token file has %d bytes, more than %d", text.size(), kTokenFileBytesMax));
  }
  ErrorList errors;
  TableBuilder builder;
  int line = 0;
  for (const absl::string_view raw : absl::StrSplit(Absl(text), '\n')) {
    ++line;
    const std::vector<std::string_view> fields = SplitLine(Std(raw), line, errors);
    if (fields.empty()) continue;
    if (std::optional<TokenEntry> entry = ParseEntry(fields, line, errors)) {
      builder.Add(*std::move(entry), errors);
    }
  }
  if (errors.count() > 0) return errors.ToStatus();
  return TokenTable(std::move(builder).Take());
}

absl::StatusOr<TokenTable> LoadTokenFile(const std::string& path) {
  ASSIGN_OR_RETURN(const std::string text, ReadTokenFile(path));
  absl::StatusOr<TokenTable> table = ParseTokenFile(text);
  if (!table.ok()) {
    return absl::Status(table.status().code(),
                        absl::StrFormat("token file %s: %s", path, table.status().message()));
  }
  return table;
}

}  // namespace clas::server
