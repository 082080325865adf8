// The bench's dlib peer (Debian libdlib-dev): the course's He step written as a dlib user
// would, in float32 (dlib's DNN tensors are float only). Usage and output: peer_program.hpp
// (handloop_he's). The network fc<10> relu fc<5> relu fc<1> with the file's weights (rounded
// to float) and zero biases, one sample per example.
//
// The loss: loss_binary_log is the logistic loss log(1 + exp(-t z)) on labels t in {-1, +1}
// averaged over the samples; with t = 2y - 1 and a = sigmoid(z) it equals the course's
// cross-entropy -(y log a + (1 - y) log(1 - a)), and its gradient (a - y) / m is the course's
// dZ3 / m. The labels are mapped so.
//
// The step: compute_parameter_gradients (forward, loss, backward), then update_parameters
// with one dnn::sgd solver per layer. dlib's sgd defaults to weight decay 5e-4 and momentum
// 0.9; both are set to 0 here, so its update v = -lr * grad, params += v is plain gradient
// descent at lr 0.01 (fc layers' learning-rate multipliers are 1).
#include <chrono>

#include <dlib/dnn.h>

#include "peer_program.hpp"

namespace {

using bench::peer::Arguments;
using Net = dlib::loss_binary_log<
    dlib::fc<1, dlib::relu<dlib::fc<5, dlib::relu<dlib::fc<10, dlib::input<dlib::matrix<float, 2, 1>>>>>>>>;

// Writes W (out x in, row-major) and a zero bias into an fc layer's parameters: dlib keeps
// them as one (in + 1) x out tensor, the weights transposed in the first `in` rows and the
// bias in the last row.
template <typename Layer>
void set_fc(Layer& layer, const std::vector<double>& W, std::size_t in, std::size_t out) {
  dlib::tensor& params = layer.layer_details().get_layer_params();
  if (static_cast<std::size_t>(params.size()) != (in + 1) * out) {
    throw std::runtime_error("dlib fc layer has " + std::to_string(params.size()) + " parameters, expected " +
                             std::to_string((in + 1) * out));
  }
  float* p = params.host();
  for (std::size_t i = 0; i < in; ++i) {
    for (std::size_t o = 0; o < out; ++o) p[i * out + o] = static_cast<float>(W[o * in + i]);
  }
  for (std::size_t o = 0; o < out; ++o) p[in * out + o] = 0.0f;
}

int run(const Arguments& args) {
  const auto& in = args.input;
  std::vector<dlib::matrix<float, 2, 1>> samples(in.m);
  std::vector<float> labels(in.m);
  for (std::size_t j = 0; j < in.m; ++j) {
    samples[j](0) = static_cast<float>(in.X[j]);
    samples[j](1) = static_cast<float>(in.X[in.m + j]);
    labels[j] = in.Y[j] > 0.5 ? 1.0f : -1.0f;
  }
  Net net;
  dlib::resizable_tensor x;
  net.to_tensor(samples.begin(), samples.end(), x);
  net.forward(x);  // sizes the layers' parameters, which are then overwritten
  const auto& dims = bench::peer::dims;
  set_fc(dlib::layer<5>(net), in.W[0], dims[0], dims[1]);
  set_fc(dlib::layer<3>(net), in.W[1], dims[1], dims[2]);
  set_fc(dlib::layer<1>(net), in.W[2], dims[2], dims[3]);
  std::vector<dlib::sgd> solvers(Net::num_computational_layers, dlib::sgd(0.0f, 0.0f));
  double first_cost = 0.0, cost = 0.0;
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < args.iterations; ++i) {
    cost = net.compute_parameter_gradients(x, labels.begin());
    net.update_parameters(solvers, bench::peer::learning_rate);
    if (i == 0) first_cost = cost;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  bench::peer::print_result(first_cost, cost, seconds, args.iterations);
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return bench::peer::report_errors(run, argc, argv); }
