/// @file
/// Numbers as text, for messages and reports.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <string>

namespace xgrad {

/// The shortest decimal that reads back to the same double: "0.6931471805599453", "2",
/// "1e-05", "inf", "nan".
std::string format_double(double value);

/// What Python's repr(float) prints: the shortest round-trip digits, in fixed notation when
/// the decimal exponent e (value = d.ddd x 10^e) satisfies -4 <= e < 16, else in scientific
/// notation with a sign and at least two exponent digits: "2.0", "100000.0", "0.0001",
/// "1e-05", "1e+16", "1.5e+300", "-0.0", "inf", "-inf", "nan".
std::string python_float_repr(double value);

/// `value` rounded to at most `digits` significant digits, as printf's %g prints it (and a
/// std::ostream with precision(digits)): "0.3333333333", "1e-07", "2.5"; for messages where
/// a full round-trip number would be noise. Requires 1 <= digits <= 17.
std::string format_significant(double value, int digits);

}  // namespace xgrad
