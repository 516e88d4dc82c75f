#include "ledger/rocks_hooks.h"

#include <cstdarg>
#include <cstdio>

namespace clas::ledger {
namespace {

class StderrLogger : public rocksdb::Logger {
 public:
  StderrLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[2048];
    std::vsnprintf(line, sizeof(line), format, ap);
    std::fprintf(stderr, "rocksdb: %s\n", line);  // one call: lines of threads do not mix
  }
};

class ManualRecovery : public rocksdb::EventListener {
 public:
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason /*reason*/, rocksdb::Status bg_error,
                            bool* auto_recovery) override {
    bg_error.PermitUncheckedError();
    *auto_recovery = false;
  }
};

}  // namespace

std::shared_ptr<rocksdb::Logger> StderrRocksLogger() {
  static const std::shared_ptr<rocksdb::Logger> logger = std::make_shared<StderrLogger>();
  return logger;
}

std::shared_ptr<rocksdb::EventListener> ManualRecoveryListener() {
  static const std::shared_ptr<rocksdb::EventListener> listener =
      std::make_shared<ManualRecovery>();
  return listener;
}

}  // namespace clas::ledger
