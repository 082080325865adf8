// The bench's LibTorch peer (Debian libtorch-dev): the course's He step written as a LibTorch
// user would, in float64 on one thread. Usage and output: peer_program.hpp (handloop_he's).
// A torch::nn::Sequential of Linear(2,10), ReLU, Linear(10,5), ReLU, Linear(5,1), Sigmoid with
// the file's weights and zero biases; examples as rows (LibTorch's layout); the loss is
// binary_cross_entropy with its default mean over examples (the course's cross-entropy);
// loss.backward(), then gradient descent p -= lr * p.grad under torch::NoGradGuard.
#include <chrono>

#include <torch/torch.h>

#include "peer_program.hpp"

namespace {

using bench::peer::Arguments;

// A (rows x columns) float64 tensor holding a copy of row-major `values`.
torch::Tensor tensor_of(const std::vector<double>& values, std::int64_t rows, std::int64_t columns) {
  return torch::from_blob(const_cast<double*>(values.data()), {rows, columns}, torch::kFloat64).clone();
}

int run(const Arguments& args) {
  torch::set_num_threads(1);
  const auto& dims = bench::peer::dims;
  const auto m = static_cast<std::int64_t>(args.input.m);
  torch::nn::Sequential net;
  for (std::size_t l = 0; l + 1 < dims.size(); ++l) {
    const auto in = static_cast<std::int64_t>(dims[l]), out = static_cast<std::int64_t>(dims[l + 1]);
    torch::nn::Linear linear(torch::nn::LinearOptions(in, out));
    linear->to(torch::kFloat64);
    {
      torch::NoGradGuard no_grad;
      linear->weight.copy_(tensor_of(args.input.W[l], out, in));
      linear->bias.zero_();
    }
    net->push_back(linear);
    if (l + 2 < dims.size()) {
      net->push_back(torch::nn::ReLU());
    } else {
      net->push_back(torch::nn::Sigmoid());
    }
  }
  const torch::Tensor x = tensor_of(args.input.X, 2, m).t().contiguous();  // (m, 2)
  const torch::Tensor y = tensor_of(args.input.Y, m, 1);                    // (m, 1)
  std::vector<torch::Tensor> parameters = net->parameters();
  double first_cost = 0.0;
  torch::Tensor loss;
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < args.iterations; ++i) {
    loss = torch::binary_cross_entropy(net->forward(x), y);
    loss.backward();
    {
      torch::NoGradGuard no_grad;
      for (torch::Tensor& p : parameters) {
        p.sub_(p.grad(), bench::peer::learning_rate);
        p.mutable_grad().zero_();
      }
    }
    if (i == 0) first_cost = loss.item<double>();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  bench::peer::print_result(first_cost, loss.item<double>(), seconds, args.iterations);
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return bench::peer::report_errors(run, argc, argv); }
