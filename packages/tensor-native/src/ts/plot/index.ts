/**
 * Charts for notebooks.
 *
 * @example
 * using chart = tt.plot.live({ title: "loss", x: "step", logY: true });
 * for (let step = 0; step < 1000; step++) chart.log({ step, train: trainStep() });
 */
export { live, LiveChart, type ChartPoint, type ChartValue, type LiveChartOptions } from "./live.js";
export { chartSvg, type ChartSvgOptions } from "./svg.js";
