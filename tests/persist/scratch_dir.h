// A scratch directory for one test program's files, under the system's temp
// directory and named after the program and its pid; it is removed, with
// everything in it, when the program exits.
#ifndef HASHSTORE_TESTS_PERSIST_SCRATCH_DIR_H_
#define HASHSTORE_TESTS_PERSIST_SCRATCH_DIR_H_

#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_((std::filesystem::temp_directory_path() /
               (name + "." + std::to_string(::getpid())))
                  .string()) {
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;  // nothing to report at exit
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

#endif  // HASHSTORE_TESTS_PERSIST_SCRATCH_DIR_H_
