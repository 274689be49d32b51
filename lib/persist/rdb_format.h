// Redis's RDB file format, as far as hashstore reads and writes it (the
// facts come from the RDB specification and redis/redis src/rdb.{h,c};
// versions 9 to 12, written by Redis 5.0 to 8.x).
//
//   file    := "REDIS" version[4 ASCII digits, "0009".."0012"]
//              record* 0xFF crc64[8, little-endian]
//   record  := 0xFA AUX        key:string value:string
//            | 0xFB RESIZEDB   db_size:len expires_size:len   (hints)
//            | 0xFE SELECTDB   db:len
//            | 0xFD EXPIRETIME seconds:i32 LE       }  apply to the next
//            | 0xFC EXPIRETIME_MS ms:i64 LE         }  key only
//            | 0xF8 IDLE seconds:len | 0xF9 FREQ u8 }
//            | 0xF4 SLOT_INFO  slot:len size:len expires:len (Redis 8)
//            | 0xF5 FUNCTION2  code:string
//            | 0xF6 FUNCTION (7.0 release candidates; Redis refuses it)
//            | 0xF7 MODULE_AUX id:len when_opcode:len(=2) when:len module-value
//            | type:u8 key:string value(type)
//   crc64   := CRC-64/Jones (rdb_crc64.h) of every byte before it; 0 means
//              "not computed" (rdbchecksum no) and is not checked
//
//   len     := 00xxxxxx                     6-bit length
//            | 01xxxxxx yyyyyyyy            14-bit, big-endian
//            | 0x80 u32 big-endian | 0x81 u64 big-endian
//   string  := len bytes
//            | 11000000 i8 | 11000001 i16 LE | 11000010 i32 LE
//                                           an integer, read as its decimal text
//            | 11000011 clen:len ulen:len lzf[clen]
//                                           LZF-compressed (liblzf's format)
//
// Hash values (the types hashstore holds):
//   4  HASH             n:len (field:string value:string){n}
//   9  HASH_ZIPMAP      string: a zipmap (Redis < 2.6; rdb_ziplist.h)
//   13 HASH_ZIPLIST     string: a ziplist of field, value, ... (Redis < 7.0)
//   16 HASH_LISTPACK    string: a listpack of field, value, ... (7.0+)
//   22 HASH_METADATA_PRE_GA     n:len (ttl:len field value){n}, ttl absolute
//   23 HASH_LISTPACK_EX_PRE_GA  string: listpack of field, value, ttl, ...
//   24 HASH_METADATA    min_ttl:i64 LE n:len (ttl:len field value){n}, ttl 0
//                       for none, else expire-ms = ttl + min_ttl - 1 (7.4+)
//   25 HASH_LISTPACK_EX min_ttl:i64 LE, string: listpack of field, value,
//                       expire-ms or 0 triplets; fields with a TTL first in
//                       ascending order, then those without (7.4+)
// Field TTLs are absolute Unix ms, at most 2^48 - 1 (Redis's
// EB_EXPIRE_TIME_MAX).
//
// Other types, which hashstore skips (on request) by walking their layout:
//   0 STRING string | 1 LIST, 2 SET n (string){n} | 3 ZSET n (string
//   double-text){n} | 5 ZSET_2 n (string f64){n} | 7 MODULE_2 id:len
//   module-value | 10 11 12 17 20 one string | 14 QUICKLIST n (string){n} |
//   18 QUICKLIST_2 n (container:len string){n} | 15 19 21 STREAM (see
//   rdb_skip.cc) | 6 MODULE (4.0 release candidates: refused, as Redis does)
//   module-value := (opcode:len (len | len | f32 | f64 | string))* 0:len
#ifndef HASHSTORE_PERSIST_RDB_FORMAT_H_
#define HASHSTORE_PERSIST_RDB_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hashstore::internal::rdb {

inline constexpr std::string_view kMagicPrefix = "REDIS";
inline constexpr size_t kHeaderSize = 9;  // "REDIS" + 4 digits
inline constexpr int kMinVersion = 9;     // Redis 5.0 / 6.x
inline constexpr int kMaxVersion = 12;    // Redis 7.4 / 8.x
// What the writer emits: 10 loads in Redis 7.0 and later; 12 (field TTLs)
// in Redis 7.4 and later.
inline constexpr int kVersionPlain = 10;
inline constexpr int kVersionFieldTtls = 12;
inline constexpr size_t kChecksumSize = 8;

// Opcodes.
inline constexpr uint8_t kOpSlotInfo = 0xF4;
inline constexpr uint8_t kOpFunction2 = 0xF5;
inline constexpr uint8_t kOpFunctionPreGa = 0xF6;
inline constexpr uint8_t kOpModuleAux = 0xF7;
inline constexpr uint8_t kOpIdle = 0xF8;
inline constexpr uint8_t kOpFreq = 0xF9;
inline constexpr uint8_t kOpAux = 0xFA;
inline constexpr uint8_t kOpResizeDb = 0xFB;
inline constexpr uint8_t kOpExpireTimeMs = 0xFC;
inline constexpr uint8_t kOpExpireTime = 0xFD;
inline constexpr uint8_t kOpSelectDb = 0xFE;
inline constexpr uint8_t kOpEof = 0xFF;

// Value types.
inline constexpr uint8_t kTypeString = 0;
inline constexpr uint8_t kTypeList = 1;
inline constexpr uint8_t kTypeSet = 2;
inline constexpr uint8_t kTypeZset = 3;
inline constexpr uint8_t kTypeHash = 4;
inline constexpr uint8_t kTypeZset2 = 5;
inline constexpr uint8_t kTypeModulePreGa = 6;
inline constexpr uint8_t kTypeModule2 = 7;
inline constexpr uint8_t kTypeHashZipmap = 9;
inline constexpr uint8_t kTypeListZiplist = 10;
inline constexpr uint8_t kTypeSetIntset = 11;
inline constexpr uint8_t kTypeZsetZiplist = 12;
inline constexpr uint8_t kTypeHashZiplist = 13;
inline constexpr uint8_t kTypeListQuicklist = 14;
inline constexpr uint8_t kTypeStreamListpacks = 15;
inline constexpr uint8_t kTypeHashListpack = 16;
inline constexpr uint8_t kTypeZsetListpack = 17;
inline constexpr uint8_t kTypeListQuicklist2 = 18;
inline constexpr uint8_t kTypeStreamListpacks2 = 19;
inline constexpr uint8_t kTypeSetListpack = 20;
inline constexpr uint8_t kTypeStreamListpacks3 = 21;
inline constexpr uint8_t kTypeHashMetadataPreGa = 22;
inline constexpr uint8_t kTypeHashListpackExPreGa = 23;
inline constexpr uint8_t kTypeHashMetadata = 24;
inline constexpr uint8_t kTypeHashListpackEx = 25;
inline constexpr uint8_t kMaxType = 25;

// Length encodings (first byte).
inline constexpr uint8_t kLen6Bit = 0x00;
inline constexpr uint8_t kLen14Bit = 0x40;
inline constexpr uint8_t kLen32Bit = 0x80;
inline constexpr uint8_t kLen64Bit = 0x81;
inline constexpr uint8_t kLenEncoded = 0xC0;
inline constexpr uint8_t kEncInt8 = 0;
inline constexpr uint8_t kEncInt16 = 1;
inline constexpr uint8_t kEncInt32 = 2;
inline constexpr uint8_t kEncLzf = 3;
static_assert((kLen14Bit >> 6) == 1 && (kLen32Bit >> 6) == 2 && (kLenEncoded >> 6) == 3,
              "the two high bits select the length encoding");

// Module value opcodes.
inline constexpr uint64_t kModuleOpEof = 0;
inline constexpr uint64_t kModuleOpSint = 1;
inline constexpr uint64_t kModuleOpUint = 2;
inline constexpr uint64_t kModuleOpFloat = 3;
inline constexpr uint64_t kModuleOpDouble = 4;
inline constexpr uint64_t kModuleOpString = 5;

// Field TTLs: 0 means none; the largest Redis accepts in a file.
inline constexpr uint64_t kMaxFieldTtl = (uint64_t{1} << 48) - 1;

inline bool is_hash_type(uint8_t t) {
  return t == kTypeHash || t == kTypeHashZipmap || t == kTypeHashZiplist ||
         t == kTypeHashListpack || (t >= kTypeHashMetadataPreGa && t <= kTypeHashListpackEx);
}

// "hash", "string", "list", "set", "zset", "stream", "module" (as TYPE
// names them), or "unknown".
std::string_view type_family(uint8_t type);

// The 9-character name Redis derives from a module type id (its high 54
// bits, 6 bits a character; the low 10 bits are the encoding version).
std::string module_type_name(uint64_t id);

// ---- Writing ---------------------------------------------------------------

inline void put_len(std::string* out, uint64_t len) {
  if (len < (1u << 6)) {
    out->push_back(static_cast<char>(len));
  } else if (len < (1u << 14)) {
    out->push_back(static_cast<char>(kLen14Bit | (len >> 8)));
    out->push_back(static_cast<char>(len & 0xFF));
  } else if (len <= UINT32_MAX) {
    out->push_back(static_cast<char>(kLen32Bit));
    for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>(len >> (8 * i)));
  } else {
    out->push_back(static_cast<char>(kLen64Bit));
    for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>(len >> (8 * i)));
  }
}
inline void put_string(std::string* out, std::string_view s) {
  put_len(out, s.size());
  out->append(s);
}
inline void put_le64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

}  // namespace hashstore::internal::rdb

#endif  // HASHSTORE_PERSIST_RDB_FORMAT_H_
