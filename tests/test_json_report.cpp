// xgrad::JsonReport from C++: a declared model with a user's node (defined here, not in the
// library) trained with Adam on mini-batches with the non-finite guard, checked with
// check_graph, its report written atomically and read back; the report's layout and values
// against the objects it was made from.
#define BOOST_TEST_MODULE json_report
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include <xgrad/xgrad.hpp>

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// LeCun's scaled tanh, 1.7159 tanh(2x/3), element-wise: a user's node.
class ScaledTanh final : public xgrad::Node, public xgrad::Schedulable {
 public:
  ScaledTanh(std::string name, xgrad::Node& x) : Node(std::move(name), {&x}, x.rows()) {}
  std::string_view kind() const override { return "scaled_tanh"; }
  bool column_separable() const override { return true; }

  void forward(xgrad::Mode) override {
    const xgrad::Matrix& x = inputs()[0]->value();
    for (std::size_t k = 0; k < x.size(); ++k) value_.data()[k] = a * std::tanh(b * x.data()[k]);
  }

  void backward() override {
    xgrad::Node& x = *inputs()[0];
    if (!x.requires_grad()) return;
    for (std::size_t k = 0; k < value_.size(); ++k) {
      // a b sech^2(b x), from x: 1 - tanh^2 from the value would cancel where units saturate.
      const double c = std::cosh(b * x.value().data()[k]);
      x.grad().data()[k] += grad_.data()[k] * a * b / (c * c);  // add, never assign
    }
  }

 private:
  static constexpr double a = 1.7159, b = 2.0 / 3.0;
};

// Three blobs of `per_class` points around (0, 3), (-3, -2), (3, -2) with spread 0.5
// (numpy's RandomState(seed).randn), labelled 0, 1, 2 as class indices (1, m).
xgrad::Dataset three_blobs(std::size_t per_class, std::uint64_t seed) {
  const double centres[3][2] = {{0.0, 3.0}, {-3.0, -2.0}, {3.0, -2.0}};
  xgrad::RandomState rng(seed);
  const xgrad::Matrix noise = rng.randn(2, 3 * per_class);
  xgrad::Dataset d{xgrad::Matrix({2, 3 * per_class}), xgrad::Matrix({1, 3 * per_class})};
  for (std::size_t j = 0; j < 3 * per_class; ++j) {
    const std::size_t c = j % 3;
    d.X(0, j) = centres[c][0] + 0.5 * noise(0, j);
    d.X(1, j) = centres[c][1] + 0.5 * noise(1, j);
    d.Y(0, j) = static_cast<double>(c);
  }
  return d;
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Scratch {
  fs::path root;
  Scratch() {
    std::string pattern = (fs::temp_directory_path() / "xgrad_json_report_XXXXXX").string();
    BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    root = pattern;
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
};

xgrad::ModelSpec blob_spec() {
  xgrad::ModelSpec spec;
  spec.inputs = 2;
  spec.layers = {{12, xgrad::Activation::of<ScaledTanh>("scaled_tanh")},  // the user's node
                 {3, xgrad::Activation::identity()}};                     // 3 classes
  spec.loss = xgrad::Loss::softmax_cross_entropy;
  spec.labels = xgrad::LabelLayout::class_index;
  spec.init = {xgrad::InitKind::xavier, 2};
  return spec;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_users_node_trained_with_adam_on_mini_batches_checked_and_reported) {
  const xgrad::Dataset train = three_blobs(40, 1);  // 120 examples
  const xgrad::Dataset test = three_blobs(20, 2);
  xgrad::Model model(blob_spec());
  BOOST_TEST_REQUIRE(model.graph().find("scaled_tanh1") != nullptr);
  // Checked at its initial weights, on the training data (as a user checks before training).
  model.feed(train.X, train.Y);
  const xgrad::CheckReport check = xgrad::check_graph(model.graph());
  BOOST_TEST_REQUIRE(check.passed(), check);

  xgrad::TrainOptions options;
  options.learning_rate = 0.01;
  options.mini_batch_size = 32;  // 120 = 3 x 32 + 24: the last batch is smaller
  options.epochs = 60;
  options.shuffle_seed = 11;
  options.record_every = 20;
  options.stop_on_non_finite = true;
  xgrad::Adam adam(0.9, 0.99, 1e-7);
  const xgrad::TrainResult result = xgrad::train(model, train, options, adam);
  const xgrad::Matrix train_predictions = xgrad::predict(model, train.X);
  const xgrad::Matrix test_predictions = xgrad::predict(model, test.X);
  const double train_accuracy = xgrad::accuracy(train_predictions, train.Y);
  const double test_accuracy = xgrad::accuracy(test_predictions, test.Y);
  // The blobs' centres are more than 11 spreads apart: every point is on its own class's side.
  BOOST_TEST(train_accuracy == 1.0);
  BOOST_TEST(test_accuracy == 1.0);

  xgrad::JsonReport report;
  report.set_setting("data", "three blobs");
  report.set_model(model.spec());
  report.set_training(options, adam);
  report.set_costs(result, options);
  report.set_accuracies(train_accuracy, test_accuracy);
  report.set_predictions(train_predictions, test_predictions);
  report.add_check("check_graph", check);
  Scratch s;
  const fs::path file = s.root / "blobs.json";
  report.write(file);
  BOOST_TEST(read_text(file) == report.to_string());
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(s.root)) ++files;
  BOOST_TEST(files == 1u, "a temporary file was left beside the report");

  const Json j = Json::parse(read_text(file));
  const Json& settings = j["settings"];
  BOOST_TEST(settings["data"] == "three blobs");
  BOOST_TEST(settings["model"] == model.spec().describe());
  BOOST_TEST(settings["layers"] == Json::parse("[2, 12, 3]"));
  BOOST_TEST(settings["activations"] == Json::parse(R"(["scaled_tanh", "identity"])"));
  BOOST_TEST(settings["loss"] == "softmax_cross_entropy");
  BOOST_TEST(settings["labels"] == "class_index");
  BOOST_TEST(settings["optimizer_kind"] == "adam");
  BOOST_TEST(settings["optimizer"] == adam.describe());
  BOOST_TEST(settings["beta1"].get<double>() == 0.9);
  BOOST_TEST(settings["beta2"].get<double>() == 0.99);
  BOOST_TEST(settings["epsilon"].get<double>() == 1e-7);
  BOOST_TEST(settings["mini_batch_size"] == 32);
  BOOST_TEST(settings["epochs"] == 60);
  BOOST_TEST(settings["shuffle_seed"] == 11);
  BOOST_TEST(!settings.contains("iterations"), "iterations are unused with mini-batches");
  BOOST_TEST(settings["training"] == "60 epochs of mini-batches of 32 (shuffle seed 11) at learning rate 0.01");
  BOOST_TEST(settings["costs_per"] == "epoch");
  BOOST_TEST(settings["xgrad_version"] == XGRAD_VERSION_STRING);
  BOOST_TEST(settings["blas_kernel"] == xgrad::blas_kernel());
  BOOST_TEST(settings["blas_threads"] == xgrad::blas_threads());
  BOOST_TEST(settings["threads"] == xgrad::threads());

  // Costs: every recorded epoch, read back to the same double.
  BOOST_TEST(j["costs_per"] == "epoch");
  BOOST_TEST(j["cost_iterations"] == Json::parse("[0, 20, 40]"));
  BOOST_TEST_REQUIRE(j["costs"].size() == result.costs.size());
  for (std::size_t i = 0; i < result.costs.size(); ++i) {
    BOOST_TEST(j["costs"][i].get<double>() == result.costs[i].cost, "cost " << i);
  }
  BOOST_TEST(j["final_cost"].get<double>() == result.final_cost);
  BOOST_TEST(j["train_accuracy"].get<double>() == train_accuracy);
  BOOST_TEST(j["test_accuracy"].get<double>() == test_accuracy);
  // Predictions are class indices, written as integers.
  BOOST_TEST_REQUIRE(j["train_predictions"][0].size() == 120u);
  for (std::size_t k = 0; k < 120; ++k) {
    BOOST_TEST_REQUIRE(j["train_predictions"][0][k].is_number_integer());
    BOOST_TEST(j["train_predictions"][0][k].get<int>() == static_cast<int>(train.Y(0, k)), "example " << k);
  }

  // The check: verdict, mode, difference and every parameter block.
  BOOST_TEST_REQUIRE(j["checks"].size() == 1u);
  const Json& c = j["checks"][0];
  BOOST_TEST(c["name"] == "check_graph");
  BOOST_TEST(c["passed"] == true);
  BOOST_TEST(c["mode"] == check.mode());
  BOOST_TEST(c["difference"].get<double>() == check.difference());
  BOOST_TEST(c["verdict"].get<std::string>().starts_with("gradient check PASSED"));
  BOOST_TEST(c["entries"] == check.entries.size());
  BOOST_TEST(c["wrong"] == 0);
  BOOST_TEST(c["wrong_blocks"].empty());
  BOOST_TEST_REQUIRE(c["blocks"].size() == 4u);
  const char* const blocks[] = {"fc1.W", "fc1.b", "fc2.W", "fc2.b"};
  for (std::size_t b = 0; b < 4; ++b) {
    BOOST_TEST(c["blocks"][b]["block"] == blocks[b]);
    BOOST_TEST(c["blocks"][b]["ok"] == true);
    BOOST_TEST(c["blocks"][b]["entries"] == check.blocks[b].entries);
  }
  BOOST_TEST(c["blocks"][0]["entries"] == 24);  // fc1.W is 12x2
}

BOOST_AUTO_TEST_CASE(a_failed_check_names_its_wrong_blocks_in_the_report) {
  // J(w) = w0 w1 with dJ/dw0 planted as 2 w1: check_function reports block w wrong.
  const std::vector<xgrad::NamedMatrix> theta = {{"w", xgrad::Matrix({{1.0, 2.0}})}};
  const auto J = [](const std::vector<xgrad::NamedMatrix>& t) { return t[0].value(0, 0) * t[0].value(0, 1); };
  const auto wrong_gradient = [](const std::vector<xgrad::NamedMatrix>& t) {
    return std::vector<xgrad::NamedMatrix>{{"w", xgrad::Matrix({{2.0 * t[0].value(0, 1), t[0].value(0, 0)}})}};
  };
  const xgrad::CheckReport bad = xgrad::check_function(theta, J, wrong_gradient);
  BOOST_TEST_REQUIRE(!bad.passed());
  xgrad::JsonReport report;
  report.add_check("planted", bad);
  const Json j = Json::parse(report.to_string());
  BOOST_TEST(j["checks"][0]["passed"] == false);
  BOOST_TEST(j["checks"][0]["wrong_blocks"] == Json::parse(R"(["w"])"));
  BOOST_TEST(j["checks"][0]["wrong"] == 1);  // dJ/dw0 = w1 = 2 reported as 4; dJ/dw1 right
  BOOST_TEST(j["checks"][0]["verdict"].get<std::string>().starts_with("gradient check FAILED"));
  BOOST_TEST(!j.contains("costs"), "sections not set are absent");
}

BOOST_AUTO_TEST_CASE(full_batch_settings_and_a_write_that_cannot_happen) {
  xgrad::JsonReport report;
  xgrad::TrainOptions options;  // full batch: 15000 iterations at 0.01
  report.set_training(options, xgrad::Momentum(0.8));
  const Json s = Json::parse(report.to_string())["settings"];
  BOOST_TEST(s["optimizer_kind"] == "momentum");
  BOOST_TEST(s["beta"].get<double>() == 0.8);
  BOOST_TEST(s["iterations"] == 15000);
  BOOST_TEST(!s.contains("epochs"));
  BOOST_TEST(s["costs_per"] == "iteration");
  BOOST_TEST(s["training"] == "15000 iterations at learning rate 0.01");

  const fs::path missing = fs::temp_directory_path() / "xgrad_no_such_folder_for_json" / "r.json";
  BOOST_CHECK_EXCEPTION(report.write(missing), xgrad::FileError, [&](const xgrad::FileError& e) {
    return std::string(e.what()).find(missing.parent_path().string()) != std::string::npos;
  });
}

// A setting that is not UTF-8 (a Latin-1 file name, "daten\xe9.csv") is written with U+FFFD
// (EF BF BD) in place of the bad byte, so that the report stays valid JSON; a symbolic link
// given as the target is refused and left as it was.
BOOST_AUTO_TEST_CASE(text_that_is_not_utf8_and_a_link_as_the_target) {
  xgrad::JsonReport report;
  report.set_setting("data", "daten\xe9.csv");
  const Json j = Json::parse(report.to_string());
  BOOST_TEST(j["settings"]["data"] == "daten\xef\xbf\xbd.csv");

  const fs::path folder = fs::temp_directory_path() / ("xgrad_json_link_" + std::to_string(::getpid()));
  fs::remove_all(folder);
  fs::create_directories(folder);
  { std::ofstream(folder / "target.json") << "keep"; }
  fs::create_symlink(folder / "target.json", folder / "link.json");
  BOOST_CHECK_EXCEPTION(report.write(folder / "link.json"), xgrad::FileError, [](const xgrad::FileError& e) {
    return std::string(e.what()).find("symbolic link") != std::string::npos;
  });
  BOOST_TEST(fs::is_symlink(fs::symlink_status(folder / "link.json")));
  std::ifstream in(folder / "target.json");
  std::stringstream kept;
  kept << in.rdbuf();
  BOOST_TEST(kept.str() == "keep");
  fs::remove_all(folder);
}
