// Where a training step's memory goes, measured with the caching allocator's counters:
// parameters, gradients, Adam's two moment buffers, and the activations autograd keeps alive.
// Usage: build/examples/memory_anatomy [batch]   (MLP 784-128-64-10, as in `tito bench mlp`)
#include <cstdlib>

#include "tinytorch.h"

using namespace tt;

int main(int argc, char** argv) {
  const int64_t batch = argc > 1 ? std::atoll(argv[1]) : 64;
  auto in_use = [] { return memory_stats().bytes_in_use; };
  int64_t base = in_use();
  nn::Sequential model{std::make_shared<nn::Linear>(784, 128), std::make_shared<nn::ReLU>(),
                       std::make_shared<nn::Linear>(128, 64), std::make_shared<nn::ReLU>(),
                       std::make_shared<nn::Linear>(64, 10)};
  int64_t params = in_use() - base;
  Tensor x = randn({batch, 784}), y = randint(0, 10, {batch});
  int64_t before_fwd = in_use();
  Tensor loss = cross_entropy(model(x), y);
  int64_t activations = in_use() - before_fwd;  // outputs autograd keeps for backward
  loss.backward();
  loss = Tensor();  // frees the graph: activations are released
  int64_t grads = 0;
  for (auto& p : model.parameters()) grads += p.grad().nbytes();
  optim::Adam opt(model.parameters());
  int64_t before_step = in_use();
  opt.step();
  int64_t adam_state = in_use() - before_step;
  std::cout << "MLP 784-128-64-10, batch " << batch << ", float32 (bytes from tt::memory_stats())\n"
            << "  parameters        " << params << "  (" << model.num_parameters() << " values)\n"
            << "  gradients         " << grads << "\n"
            << "  Adam state        " << adam_state << "  (" << double(adam_state) / params << "x parameters)\n"
            << "  activations kept  " << activations << "  (for backward, batch " << batch << ")\n"
            << "  params+grads+Adam " << params + grads + adam_state << "  (" << double(params + grads + adam_state) / params
            << "x parameters)\n"
            << "  peak in use       " << memory_stats().peak_bytes_in_use << "\n";
}
