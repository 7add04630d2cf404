"""Bundle a multi-file contract into one self-contained OpenAPI document, and write it out."""

from contractkit.bundle.bundler import BundleError, bundle, bundle_workspace
from contractkit.bundle.serialize import dump, dump_json, dump_yaml

__all__ = ["BundleError", "bundle", "bundle_workspace", "dump", "dump_json", "dump_yaml"]
