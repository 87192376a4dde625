// The shape every law file fills in: its formula (with the gradient), its parameter box and its starting points.
// The fitter (src/core/fit/robust.ts) knows nothing else about a law, so adding a law never touches the solver.

export interface Law<Data> {
  readonly id: string;
  readonly parameterNames: readonly string[];
  readonly lower: readonly number[];
  readonly upper: readonly number[];
  /**
   * Writes the prediction at each point of `data` into `out`; when `jacobian` is given, also fills
   * jacobian[j][i] = d prediction_i / d parameter_j. A prediction <= 0 or non-finite marks the parameters as invalid.
   */
  predict(params: Float64Array, data: Data, out: Float64Array, jacobian?: Float64Array[]): void;
  /** Number of points in `data`. */
  size(data: Data): number;
}
