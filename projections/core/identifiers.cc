#include "projections/core/identifiers.h"

#include "absl/strings/str_format.h"

namespace clas {
namespace {

bool IdChar(char c, IdKind kind) {
  switch (kind) {
    case IdKind::kCafId:
      return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
             c == '.' || c == '_' || c == '-';
    case IdKind::kRequestId: return c >= 0x20 && c <= 0x7E;
    case IdKind::kIdentifier: return c > 0x20 && c <= 0x7E && c != '/';
    case IdKind::kEventId: return c > 0x20 && c <= 0x7E;
  }
  return false;
}

}  // namespace

std::string IdProblem(std::string_view value, IdKind kind) {
  const size_t max = IdBytesMax(kind);
  bool ok = !value.empty() && value.size() <= max && value != "." && value != "..";
  for (const char c : value) ok = ok && IdChar(c, kind);
  if (ok) return "";
  switch (kind) {
    case IdKind::kCafId:
      return absl::StrFormat("identifiant de Caf de 1 à %d caractères parmi A-Z a-z 0-9 . _ -",
                             max);
    case IdKind::kRequestId:
      return absl::StrFormat(
          "identifiant de requête obligatoire, choisi par le client : 1 à %d "
          "caractères ASCII imprimables",
          max);
    case IdKind::kEventId:
      return absl::StrFormat(
          "identifiant d'événement de 1 à %d caractères ASCII imprimables, "
          "sans espace",
          max);
    case IdKind::kIdentifier: break;
  }
  return absl::StrFormat(
      "identifiant de 1 à %d caractères ASCII imprimables, sans espace ni "
      "« / », ni « . » ni « .. »",
      max);
}

}  // namespace clas
