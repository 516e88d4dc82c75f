// cluster status: the nodes of a cluster as etcd knows them (server/cluster/registry.h): each
// node's address, role, log position and term, and how far it is behind the leader.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "ledger/base/status_macros.h"
#include "server/cluster/election.h"
#include "server/cluster/etcd_client.h"
#include "server/cluster/registry.h"
#include "google/protobuf/struct.pb.h"
#include "tools/clasctl/commands.h"
#include "tools/clasctl/text.h"

namespace clas::ctl {
namespace {

using server::cluster::NodeRecord;

struct ClusterView {
  std::string prefix;
  std::optional<server::cluster::LeaderInfo> leader;  // as etcd's election shows it
  std::vector<NodeRecord> nodes;
};

absl::StatusOr<ClusterView> ReadCluster(const std::vector<std::string>& endpoints,
                                        const std::string& prefix) {
  server::cluster::EtcdClient etcd(endpoints, absl::Seconds(3), absl::Seconds(1));
  ClusterView view{.prefix = prefix};
  ASSIGN_OR_RETURN(const std::optional<mvccpb::KeyValue> kv, etcd.Leader(prefix + "/leader"));
  if (kv.has_value()) {
    view.leader = server::cluster::DecodeLeaderValue(kv->value(), kv->create_revision());
  }
  ASSIGN_OR_RETURN(view.nodes, server::cluster::ReadNodes(etcd, prefix + "/nodes/"));
  return view;
}

// What the nodes publish of the cluster's size and acks (the leader's first, else any node's);
// nullopt when no node publishes them.
std::optional<NodeRecord> Sizing(const ClusterView& view) {
  std::optional<NodeRecord> found;
  for (const NodeRecord& node : view.nodes) {
    if (node.cluster_size <= 0 || node.replication_acks >= node.cluster_size) continue;
    if (!found.has_value() || node.leading) found = node;
  }
  return found;
}

uint64_t LeaderPosition(const ClusterView& view) {
  uint64_t position = 0;
  for (const NodeRecord& node : view.nodes) {
    if (view.leader.has_value() && node.node_id == view.leader->node_id) return node.position;
    position = std::max(position, node.position);
  }
  return position;
}

std::string RoleOf(const ClusterView& view, const NodeRecord& node) {
  const bool elected = view.leader.has_value() && view.leader->node_id == node.node_id;
  if (elected && node.leading) return "leader";
  if (elected) return "élu, pas encore prêt";
  return node.leading ? "ancien leader" : "suiveur";
}

std::string Text(const ClusterView& view, const std::string& etcd) {
  std::string out = absl::StrFormat("Grappe %s (etcd %s) : %d nœud%s vivant%s, ", view.prefix,
                                    etcd, view.nodes.size(), view.nodes.size() > 1 ? "s" : "",
                                    view.nodes.size() > 1 ? "s" : "");
  if (view.leader.has_value()) {
    absl::StrAppendFormat(&out, "leader %s à %s (mandat %d)\n", view.leader->node_id,
                          view.leader->address, view.leader->term);
  } else {
    absl::StrAppend(&out, "aucun leader élu\n");
  }
  if (const std::optional<NodeRecord> sizing = Sizing(view); sizing.has_value()) {
    const int quorum =
        server::cluster::CampaignQuorum(sizing->cluster_size, sizing->replication_acks);
    const int live = static_cast<int>(view.nodes.size());
    absl::StrAppendFormat(&out,
                          "Élection : %d nœud%s vivant%s sur %d, %d requis (accusés de "
                          "réplication : %d)%s\n",
                          live, live > 1 ? "s" : "", live > 1 ? "s" : "", sizing->cluster_size,
                          quorum, sizing->replication_acks,
                          live < quorum ? absl::StrFormat(" ; il en manque %d pour élire un "
                                                          "leader",
                                                          quorum - live)
                                        : "");
  }
  if (view.nodes.empty()) return out;
  // "nœud" and "rôle" take one byte more than they show (UTF-8).
  absl::StrAppendFormat(&out, "%-17s %-24s %-23s %12s %10s %8s\n", "nœud", "adresse", "rôle",
                        "position", "mandat", "retard");
  const uint64_t leader_position = LeaderPosition(view);
  for (const NodeRecord& node : view.nodes) {
    const uint64_t lag = leader_position > node.position ? leader_position - node.position : 0;
    absl::StrAppendFormat(&out, "%-16s %-24s %-22s %12d %10d %8d\n", node.node_id, node.address,
                          RoleOf(view, node), node.position, node.term, lag);
  }
  return out;
}

// `text` as a JSON string, quoted and escaped by the printer the other --json outputs use.
std::string Quoted(const std::string& text) {
  google::protobuf::Value value;
  value.set_string_value(text);
  std::string json = ToJsonLine(value);
  while (!json.empty() && json.back() == '\n') json.pop_back();
  return json;
}

std::string Json(const ClusterView& view) {
  std::string out = absl::StrCat("{\"prefix\":", Quoted(view.prefix), ",\"leader\":");
  if (view.leader.has_value()) {
    absl::StrAppend(&out, "{\"node_id\":", Quoted(view.leader->node_id), ",\"address\":",
                    Quoted(view.leader->address), ",\"term\":", view.leader->term, "}");
  } else {
    absl::StrAppend(&out, "null");
  }
  if (const std::optional<NodeRecord> sizing = Sizing(view); sizing.has_value()) {
    absl::StrAppend(&out, ",\"cluster_size\":", sizing->cluster_size, ",\"replication_acks\":",
                    sizing->replication_acks, ",\"quorum\":",
                    server::cluster::CampaignQuorum(sizing->cluster_size,
                                                    sizing->replication_acks));
  }
  absl::StrAppend(&out, ",\"nodes\":[");
  const uint64_t leader_position = LeaderPosition(view);
  for (size_t i = 0; i < view.nodes.size(); ++i) {
    const NodeRecord& n = view.nodes[i];
    absl::StrAppend(&out, i == 0 ? "" : ",", "{\"node_id\":", Quoted(n.node_id),
                    ",\"address\":", Quoted(n.address), ",\"position\":", n.position,
                    ",\"term\":", n.term,
                    ",\"leading\":", n.leading ? "true" : "false", ",\"lag\":",
                    leader_position > n.position ? leader_position - n.position : 0, "}");
  }
  absl::StrAppend(&out, "]}\n");
  return out;
}

}  // namespace

int ClusterStatus(const Invocation& in, Io& io) {
  return Guarded(io, [&]() -> absl::StatusOr<int> {
    ASSIGN_OR_RETURN(const std::string etcd, Required(in, "etcd"));
    ASSIGN_OR_RETURN(const OutputFormat format, OutputFormatOf(in, false));
    std::string prefix = in.Get("prefix");
    if (prefix.empty()) prefix = "/clas-ledger";
    const std::vector<std::string> endpoints = absl::StrSplit(etcd, ',', absl::SkipEmpty());
    const absl::StatusOr<ClusterView> view = ReadCluster(endpoints, prefix);
    if (!view.ok()) {
      io.err << "clasctl: etcd " << etcd << " injoignable ou en erreur : "
             << view.status().message() << "\n";
      return kExitUnreachable;
    }
    io.out << (format == OutputFormat::kJson ? Json(*view) : Text(*view, etcd));
    return view->leader.has_value() ? kExitOk : kExitRefused;
  });
}

}  // namespace clas::ctl
