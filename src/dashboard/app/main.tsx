import 'uplot/dist/uPlot.min.css';
import './style.css';
import { Component, render, type ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { SessionInfo } from '../api-types.ts';
import { session } from './api.ts';
import { CanaryPage } from './canary.tsx';
import { CanaryList } from './list.tsx';

/** `#/canary/<namespace>/<name>`, or the list. */
type Route = { page: 'list' } | { page: 'canary'; namespace: string; name: string };

function routeOf(hash: string): Route {
  const match = /^#\/canary\/([^/]+)\/([^/]+)$/.exec(hash);
  if (match === null) return { page: 'list' };
  return {
    page: 'canary',
    namespace: decodeURIComponent(match[1] ?? ''),
    name: decodeURIComponent(match[2] ?? ''),
  };
}

/** A bug in the page is shown as a message, never as a blank screen. */
class ErrorBoundary extends Component<{ children: ComponentChildren }, { error: string | undefined }> {
  override state = { error: undefined as string | undefined };

  override componentDidCatch(error: unknown): void {
    this.setState({ error: error instanceof Error ? error.message : String(error) });
  }

  override render() {
    if (this.state.error !== undefined) {
      return (
        <p role="alert" class="error">
          The page failed: {this.state.error}. <a href="#/">Back to the list</a> or reload.
        </p>
      );
    }
    return this.props.children;
  }
}

function App() {
  const [route, setRoute] = useState(routeOf(location.hash));
  const [info, setInfo] = useState<SessionInfo | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    const onHash = (): void => {
      setRoute(routeOf(location.hash));
    };
    window.addEventListener('hashchange', onHash);
    session().then(setInfo, (err: unknown) => {
      setError(err instanceof Error ? err.message : String(err));
    });
    return () => {
      window.removeEventListener('hashchange', onHash);
    };
  }, []);
  return (
    <>
      <header class="top">
        <a href="#/" class="brand">
          serin
        </a>
        <span class="who">
          {info === undefined
            ? ''
            : `${info.user} · ${info.namespace === null ? 'all namespaces' : `namespace ${info.namespace}`} · ${info.server}`}
        </span>
      </header>
      <main>
        {error === undefined ? null : (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <ErrorBoundary>
          {route.page === 'list' ? (
            <CanaryList allNamespaces={info?.namespace === null} />
          ) : (
            <CanaryPage
              key={`${route.namespace}/${route.name}`}
              namespace={route.namespace}
              name={route.name}
            />
          )}
        </ErrorBoundary>
      </main>
    </>
  );
}

const root = document.getElementById('app');
if (root !== null) {
  root.textContent = '';
  render(<App />, root);
}
// Errors outside Preact's rendering (a rejected promise in a handler) are still said in the page.
window.addEventListener('unhandledrejection', (event) => {
  const banner = document.createElement('p');
  banner.setAttribute('role', 'alert');
  banner.className = 'error';
  banner.textContent = `Unexpected error: ${String(event.reason)}`;
  document.body.prepend(banner);
});
