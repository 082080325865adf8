// Numbers in the checker's messages: 10 significant digits (a full round-trip number would
// be noise beside a tolerance). Private to lib/check/.
#pragma once

#include <string>

#include <xgrad/core/format.hpp>

namespace xgrad {

inline std::string number_text(double v) { return format_significant(v, 10); }

}  // namespace xgrad
