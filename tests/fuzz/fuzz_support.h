// Shared by the fuzz targets of tests/fuzz: the check that turns a broken property into a crash
// (libFuzzer keeps the input; the replay tests fail), and a reader that draws values from the
// fuzzer's bytes.
//
// Every target defines LLVMFuzzerTestOneInput. Built with -fsanitize=fuzzer it is a libFuzzer
// program; built with replay_main.cc it replays the files of its corpus and regressions folders,
// which is how the ordinary test suite runs every input a fuzzer ever kept.
//
// Thread-safety: none needed; a fuzz target runs one input at a time.
#ifndef CLAS_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define CLAS_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace clas::fuzz {

// Aborts with the property that does not hold: a finding, never an expected outcome of bad input.
[[noreturn]] inline void Fail(const char* file, int line, const char* condition,
                              const std::string& detail) {
  std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n  %s\n", file, line, condition,
               detail.c_str());
  std::abort();
}

#define FUZZ_CHECK(condition, detail)                                          \
  do {                                                                         \
    if (!(condition)) ::clas::fuzz::Fail(__FILE__, __LINE__, #condition, (detail)); \
  } while (false)

// Draws bytes, integers and strings from the front of the input; once the input is used up every
// draw returns zeros or empty strings, so that any input is a valid script.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  size_t remaining() const { return size_ - offset_; }

  uint8_t Byte() { return offset_ < size_ ? data_[offset_++] : 0; }

  uint32_t U32() {
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) value = (value << 8) | Byte();
    return value;
  }

  // A value in [0, bound) (0 when bound is 0).
  size_t Below(size_t bound) { return bound == 0 ? 0 : U32() % bound; }

  // A string of up to `bytes_max` bytes: one length byte, then that many bytes.
  std::string String(size_t bytes_max) {
    const size_t length = Byte() % (bytes_max + 1);
    return Bytes(length);
  }

  std::string Bytes(size_t length) {
    const size_t n = length < remaining() ? length : remaining();
    std::string out(reinterpret_cast<const char*>(data_ + offset_), n);
    offset_ += n;
    return out;
  }

  std::string Rest() { return Bytes(remaining()); }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t offset_ = 0;
};

}  // namespace clas::fuzz

#endif  // CLAS_TESTS_FUZZ_FUZZ_SUPPORT_H_
