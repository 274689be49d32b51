// The Options of a Store whose append-only log lives in `dir`, for the
// log's tests: no automatic rewrite (a test starts its rewrites itself).
#ifndef HASHSTORE_TESTS_PERSIST_AOF_OPTIONS_H_
#define HASHSTORE_TESTS_PERSIST_AOF_OPTIONS_H_

#include <string>

#include <hashstore/options.h>

inline hashstore::Options aof_options(const std::string& dir,
                                      hashstore::AppendFsync f = hashstore::AppendFsync::kNo) {
  hashstore::Options o;
  o.appendonly = true;
  o.appendfsync = f;
  o.dir = dir;
  o.auto_aof_rewrite_percentage = 0;
  return o;
}

#endif  // HASHSTORE_TESTS_PERSIST_AOF_OPTIONS_H_
