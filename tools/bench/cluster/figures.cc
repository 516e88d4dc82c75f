#include "tools/bench/cluster/figures.h"

#include <algorithm>
#include <cmath>

namespace clas::bench {
namespace {

// The sample of rank ceil(q × n), 1-based, in sorted samples.
double NearestRank(const std::vector<double>& sorted, double q) {
  const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

Distribution Summarise(std::vector<double> samples) {
  Distribution out;
  if (samples.empty()) return out;
  std::sort(samples.begin(), samples.end());
  out.count = samples.size();
  out.p50 = NearestRank(samples, 0.50);
  out.p99 = NearestRank(samples, 0.99);
  out.max = samples.back();
  return out;
}

std::vector<double> LagsFromRecords(const std::vector<server::cluster::NodeRecord>& records) {
  const server::cluster::NodeRecord* leader = nullptr;
  for (const auto& record : records) {
    if (!record.leading) continue;
    if (leader != nullptr) return {};
    leader = &record;
  }
  if (leader == nullptr) return {};
  std::vector<double> lags;
  for (const auto& record : records) {
    if (&record == leader) continue;
    lags.push_back(leader->position > record.position
                       ? static_cast<double>(leader->position - record.position)
                       : 0.0);
  }
  return lags;
}

}  // namespace clas::bench
