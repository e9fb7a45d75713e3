-- One server's compute: general servers FP32 = sockets × FP32 ops per cycle per core × clock
-- × cores (TFLOPS), unless the delivery gives only a mean; AI servers their mean FP16 TFLOPS.
with

delivered as (
    {{ current_delivery_rows('server_shipments') }}
),

typed as (
    select
        year,
        province as province_code,
        province_as_delivered,
        server_type,
        units,
        cpu_sockets,
        fp32_ops_per_cycle,
        clock_ghz,
        cores_per_cpu,
        mean_compute_tflops as delivered_compute_tflops,
        provenance,
        provenance_source,
        delivery_file,
        _delivery_id as delivery_id,
        _row_number as delivery_row
    from delivered
),

final as (
    select
        *,
        coalesce(
            cpu_sockets * fp32_ops_per_cycle * clock_ghz * cores_per_cpu / 1000.0,
            delivered_compute_tflops
        ) as mean_compute_tflops
    from typed
)

select * from final
