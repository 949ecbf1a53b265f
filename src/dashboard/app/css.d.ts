// esbuild bundles imported style sheets into app.css; the import itself gives nothing.
declare module '*.css';
