// `import css from './styles.css'`: the compiled CSS as a string (widget/build/inline-css.mjs).
declare module '*.css' {
  const css: string;
  export default css;
}
