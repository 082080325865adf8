/// @file
/// Kept so that existing includes build: Input is part of the graph, in
/// <xgrad/core/input.hpp>.
#pragma once

#include <xgrad/core/input.hpp>
