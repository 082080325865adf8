#include <xgrad/version.hpp>

namespace xgrad {

const char* version() { return XGRAD_VERSION_STRING; }

}  // namespace xgrad
