// Numbers as text, for messages and reports.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <string>

namespace xgrad {

// The shortest decimal that reads back to the same double: "0.6931471805599453", "2",
// "1e-05", "inf", "nan".
std::string format_double(double value);

// The same, as Python's repr prints a float (always a '.' or an exponent): "2.0".
std::string python_float_repr(double value);

}  // namespace xgrad
