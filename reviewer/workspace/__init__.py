"""Where bytes come from: directories, git trees and dicts. The only package that runs git."""
