// hashstore::version(): the version of the library linked in (version.h).
#include <hashstore/version.h>

namespace hashstore {

const char* version() { return HASHSTORE_VERSION_STRING; }

}  // namespace hashstore
