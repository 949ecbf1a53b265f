/**
 * The parts of @kubernetes/client-node serin uses, and the only module under src/ that imports it.
 *
 * Why a module of its own: the package's index (and its KubeConfig, through gen/index.js) loads all
 * ~940 generated API and model modules, about 60 MiB of resident memory that serin never calls.
 * `npm run build` replaces this module's output, dist/kube/client-node.js, with a tree-shaken
 * bundle of exactly these exports (esbuild, `build:kube-slice` in package.json; see
 * docs/adr/0001-client-node-slice.md), so the controller starts without them. Sources and tests
 * import the package as it is.
 */
export {
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  KubeConfig,
  RequestContext,
  Watch,
} from '@kubernetes/client-node';
