// The fixture of the tests that need an etcd of their own (etcd_process.h): skipped where
// /usr/bin/etcd is missing, started fresh for each test on free loopback ports.
#ifndef CLAS_TESTS_CLUSTER_ETCD_TEST_BASE_H_
#define CLAS_TESTS_CLUSTER_ETCD_TEST_BASE_H_

#include <unistd.h>

#include "grpc/grpc.h"
#include "gtest/gtest.h"
#include "tools/cluster/etcd_process.h"

namespace clas::testing {

class EtcdTestBase : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(local_cluster::kEtcdBinary, X_OK) != 0) {
      GTEST_SKIP() << "etcd is not installed (" << local_cluster::kEtcdBinary
                   << "): tools/setup.sh installs etcd-server";
    }
    static bool grpc_kept = [] {  // no gRPC shutdown stall between tests
      grpc_init();
      return true;
    }();
    (void)grpc_kept;
    const absl::Status started = etcd_.Start();
    ASSERT_TRUE(started.ok()) << started;
  }

  local_cluster::EtcdProcess etcd_;
};

}  // namespace clas::testing

#endif  // CLAS_TESTS_CLUSTER_ETCD_TEST_BASE_H_
