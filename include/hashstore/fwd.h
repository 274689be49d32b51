// Forward declarations of hashstore's public types, for headers that only
// name them (a `hashstore::Store&` parameter, a `Store*` member) and so need
// not pay for store.h: most of store.h's compile time is abseil's
// absl/status/statusor.h, which its return types require (README, "Install
// and use from your build"). Include store.h (or the type's own header)
// where the types are used.
#ifndef HASHSTORE_FWD_H_
#define HASHSTORE_FWD_H_

namespace hashstore {

class Clock;
class ManualClock;
class Pipeline;
class PipelineReplies;
class Reply;
class Store;
class SystemClock;
struct BoundedResult;
struct Event;
struct FieldTtl;
struct Info;
struct LoadOptions;
struct LoadStats;
struct Options;
struct ReserveItem;
struct ScanOptions;
struct ScanPage;
struct SaveStats;
struct ValueScratch;
enum class SaveFormat;

template <typename T>
class Record;

}  // namespace hashstore

#endif  // HASHSTORE_FWD_H_
