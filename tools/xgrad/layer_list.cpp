#include "layer_list.hpp"

#include <algorithm>

#include <cstdint>

#include "flag_checks.hpp"

#include <xgrad/core/error.hpp>

namespace xgrad::cli {

namespace {

// "leaky_relu=0.05" -> LeakyRelu with slope 0.05; "tanh" -> tanh: the built-ins of
// builtin_activations(), a setting after '=' for those that take one. Throws InputError.
Activation activation_named(const std::string& text) {
  const std::size_t equals = text.find('=');
  const std::string name = text.substr(0, equals);
  if (equals == std::string::npos) return parse_activation(name);
  const auto builtins = builtin_activations();
  const auto entry = std::find_if(builtins.begin(), builtins.end(), [&](const auto& b) { return b.kind == name; });
  if (entry == builtins.end() || entry->setting.empty()) return parse_activation(name, 0.0);  // throws, naming why
  const std::string setting_text = text.substr(equals + 1);
  double setting = 0.0;
  if (!parses_as_finite(setting_text, setting)) {
    throw InputError("the " + std::string(entry->setting) + " '" + setting_text + "' is not a finite number");
  }
  return parse_activation(name, setting);
}

// The list in quotes, or for a long one its start and end and how many entries it has.
std::string quoted_list(const std::string& text) {
  constexpr std::size_t shown = 60;
  if (text.size() <= shown) return "'" + text + "'";
  const std::size_t entries = static_cast<std::size_t>(std::count(text.begin(), text.end(), ',')) + 1;
  return "'" + text.substr(0, shown - 20) + "..." + text.substr(text.size() - 20) + "' (" + std::to_string(entries) +
         " entries)";
}

}  // namespace

std::vector<LayerFlag> parse_layer_list(const std::string& text) {
  if (text.empty()) throw InputError("the list is empty (give sizes such as 20,3,1)");
  std::vector<LayerFlag> layers;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    const std::string field = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    // Built only for an error: the list may hold 65 000 layers (a linear parse).
    const auto where = [&] { return "layer " + std::to_string(layers.size() + 1) + " of " + quoted_list(text) + ": "; };
    const std::size_t colon = field.find(':');
    const std::string units = field.substr(0, colon);
    LayerFlag layer;
    std::uint64_t units_value = 0;
    if (!parses_as_whole(units, units_value) || units_value == 0 || units_value > SIZE_MAX) {
      throw InputError(where() + "expected a whole number >= 1, got '" + units + "'");
    }
    layer.units = static_cast<std::size_t>(units_value);
    if (colon != std::string::npos) {
      try {
        layer.activation = activation_named(field.substr(colon + 1));
      } catch (const InputError& e) {
        throw InputError(where() + e.what());
      }
    }
    layers.push_back(std::move(layer));
    if (comma == std::string::npos) return layers;
    start = comma + 1;
  }
}

}  // namespace xgrad::cli
