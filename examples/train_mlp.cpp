// The README's 15-line example, built as build/examples/train_mlp so it cannot rot.
#include "tinytorch.h"   // tensors, ops, autograd, nn, optim, data, training
using namespace tt;

int main() {
  auto train = data::load_fashion_mnist(/*train=*/true), test = data::load_fashion_mnist(false);
  nn::Sequential model{std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(784, 128),
                       std::make_shared<nn::ReLU>(), std::make_shared<nn::Linear>(128, 10)};
  optim::Adam opt(model.parameters(), {{"lr", 1e-3}});
  data::DataLoader loader(train, {.batch_size = 64, .shuffle = true});
  for (int epoch = 0; epoch < 3; ++epoch) {
    loader.start_epoch(epoch);
    for (data::Batch b; loader.next(b);) {
      Tensor loss = cross_entropy(model(b.x), b.y);   // fused, stable log-softmax + NLL
      opt.zero_grad();
      loss.backward();
      opt.step();
    }
  }
  NoGradGuard no_grad;
  std::cout << mean((argmax(model(test->x()), 1) == test->y()).to(kFloat32)) << "\n";  // ≈ 0.87
}
