/// @file
/// Kept so that existing includes build: the element-wise activations are in
/// <xgrad/nodes/activations.hpp>.
#pragma once

#include <xgrad/nodes/activations.hpp>
