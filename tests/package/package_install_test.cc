// The package installed for real, with dpkg, on a copy of this very system: an overlay of / in a
// mount namespace of its own (unshare -m), every write going to a scratch directory, entered by
// chroot. Then removed, then purged. What an administrator relies on: the user clas-ledger and
// its state directory made, the token file given to its group, the service enabled, the
// configuration kept by a removal, and the ledger and the user kept even by a purge. Needs root
// and overlayfs; skipped, saying why, without them.
#include <unistd.h>

#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/package/package_support.h"

namespace clas::testing {
namespace {

// Run inside the copy: install, look, remove, look, purge, look; one "key: value" per look.
constexpr char kInside[] = R"sh(set -e
rm -f /var/lib/man-db/auto-update  # no index of the manual pages rebuilt at each step
dpkg -i /tmp/clas-ledger.deb >/dev/null
echo "user: $(getent passwd clas-ledger | cut -d: -f1,6,7)"
echo "state: $(stat -c '%U:%G %a' /var/lib/clas-ledger)"
echo "tokens: $(stat -c '%U:%G %a' /etc/clas-ledger/tokens)"
echo "enabled: $(readlink /etc/systemd/system/multi-user.target.wants/clas-ledgerd.service)"
echo "help: $(clasctl --help | head -n 1)"
mkdir /var/lib/clas-ledger/ledger && echo MANIFEST-000001 > /var/lib/clas-ledger/ledger/CURRENT
dpkg -r clas-ledger >/dev/null
echo "removed program: $(test -e /usr/bin/clas-ledgerd && echo left || echo gone)"
echo "removed enabling: $(test -L /etc/systemd/system/multi-user.target.wants/clas-ledgerd.service && echo left || echo gone)"
echo "removed config: $(test -e /etc/clas-ledger/clas-ledgerd.conf && echo kept || echo gone)"
dpkg -P clas-ledger >/dev/null
echo "purged config: $(test -e /etc/clas-ledger && echo left || echo gone)"
echo "purged ledger: $(cat /var/lib/clas-ledger/ledger/CURRENT)"
echo "purged user: $(getent passwd clas-ledger >/dev/null && echo kept || echo gone)"
)sh";

// Mounts the copy at $1/merged (writes in $1/upper), then runs the inside script there.
constexpr char kOutside[] = R"sh(set -e
mkdir -p "$1/upper" "$1/work" "$1/merged"
mount -t overlay overlay -o "lowerdir=/,upperdir=$1/upper,workdir=$1/work" "$1/merged"
mount --bind /proc "$1/merged/proc"
mount --bind /dev "$1/merged/dev"
cp "$2" "$1/merged/tmp/clas-ledger.deb"
cp "$1/inside.sh" "$1/merged/tmp/clas-ledger-inside.sh"
chroot "$1/merged" /bin/sh /tmp/clas-ledger-inside.sh
)sh";

// The "key: value" lines of `output`.
std::map<std::string, std::string> Looks(const std::string& output) {
  std::map<std::string, std::string> looks;
  for (const std::string& line : Lines(output)) {
    const size_t colon = line.find(": ");
    if (colon != std::string::npos) looks[line.substr(0, colon)] = line.substr(colon + 2);
  }
  return looks;
}

TEST_F(PackageTest, InstallRemoveAndPurgeOnACopyOfThisSystem) {
  if (geteuid() != 0) GTEST_SKIP() << "not root: the package is not installed";
  for (const char* tool : {"unshare", "chroot", "dpkg"}) {
    if (!HasCommand(tool)) GTEST_SKIP() << tool << " is missing: the package is not installed";
  }
  if (Shell("getent passwd clas-ledger").code == 0 || Shell("dpkg -s clas-ledger").code == 0) {
    GTEST_SKIP() << "clas-ledger is installed here: a copy of this system is no fresh machine";
  }
  const fs::path copy = scratch_.path() / "copy";
  fs::create_directories(copy);
  std::ofstream(copy / "inside.sh") << kInside;
  std::ofstream(copy / "outside.sh") << kOutside;
  const ShellRun probe = Shell("unshare -m sh -c 'mkdir -p \"$0/p/u\" \"$0/p/w\" \"$0/p/m\" && "
                               "mount -t overlay overlay -o lowerdir=/,upperdir=\"$0/p/u\","
                               "workdir=\"$0/p/w\" \"$0/p/m\"' " +
                               Quoted(copy.string()));
  if (probe.code != 0) GTEST_SKIP() << "no overlay of / in a mount namespace: " << probe.output;

  const ShellRun run = Shell("unshare -m sh " + Quoted((copy / "outside.sh").string()) + " " +
                             Quoted(copy.string()) + " " + Quoted(deb_.string()));
  ASSERT_EQ(run.code, 0) << run.output;
  const std::map<std::string, std::string> expected = {
      {"user", "clas-ledger:/var/lib/clas-ledger:/usr/sbin/nologin"},
      {"state", "clas-ledger:clas-ledger 750"},
      {"tokens", "root:clas-ledger 640"},
      {"enabled", "/lib/systemd/system/clas-ledgerd.service"},
      {"help", "clasctl: the clas-ledger command line"},
      {"removed program", "gone"},
      {"removed enabling", "gone"},
      {"removed config", "kept"},
      {"purged config", "gone"},
      {"purged ledger", "MANIFEST-000001"},
      {"purged user", "kept"},
  };
  EXPECT_EQ(Looks(run.output), expected) << run.output;
}

}  // namespace
}  // namespace clas::testing
