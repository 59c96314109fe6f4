// tito: the TinyTorch command line. Thin: parses arguments and calls the library.
#include <iostream>

int main() {
  std::cout << "tito\n";
  return 0;
}
