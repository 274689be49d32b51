// Which sanitizer this translation unit is built with, for GCC (which
// defines __SANITIZE_ADDRESS__ / __SANITIZE_THREAD__) and clang (which
// answers __has_feature): HASHSTORE_ASAN and HASHSTORE_TSAN are defined
// to 1 when AddressSanitizer or ThreadSanitizer is on.
#ifndef HASHSTORE_UTIL_SANITIZERS_H_
#define HASHSTORE_UTIL_SANITIZERS_H_

#if defined(__SANITIZE_ADDRESS__)
#define HASHSTORE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HASHSTORE_ASAN 1
#endif
#endif

#if defined(__SANITIZE_THREAD__)
#define HASHSTORE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define HASHSTORE_TSAN 1
#endif
#endif

#endif  // HASHSTORE_UTIL_SANITIZERS_H_
