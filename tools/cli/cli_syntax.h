// Splitting a command line the way redis-cli splits it (its sdssplitargs
// rules), so scripts written for redis-cli run unchanged in hashstore-cli:
//   - arguments are separated by white space;
//   - "double quotes" take the escapes \n \r \t \b \a \" \\ and \xHH (two
//     hex digits), any other \c is c;
//   - 'single quotes' take only \' ;
//   - a closing quote must be followed by white space or the end of line;
//   - a quote may open in the middle of a word: a"b c" is the one word "ab c".
#ifndef HASHSTORE_TOOLS_CLI_CLI_SYNTAX_H_
#define HASHSTORE_TOOLS_CLI_CLI_SYNTAX_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hashstore::cli {

// The arguments of line, or nullopt when its quotes are unbalanced or a
// closing quote is followed by something else (redis-cli then prints
// "Invalid argument(s)").
std::optional<std::vector<std::string>> split_args(std::string_view line);

}  // namespace hashstore::cli

#endif  // HASHSTORE_TOOLS_CLI_CLI_SYNTAX_H_
