import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { Button, Layout, Menu, Result, Space, Spin, Typography } from 'antd';
import { ApiFailure, getJson } from './api';
import { Inbox } from './pages/Inbox';
import { SignIn } from './pages/SignIn';
import { useRoute } from './route';
import { SESSION_ENDED, SignInFailure, forgetToken, storedToken, type Principal } from './session';

// Pages off the first screen load when opened: the inbox ships alone.
const OrderDetail = lazy(() => import('./pages/OrderDetail'));
const Orders = lazy(() => import('./pages/Orders'));
const Statistics = lazy(() => import('./pages/Statistics'));

const ROLE_LABELS: Record<Principal['role'], string> = {
  leader: '街道领导',
  supervisor: '督查室',
  unit: '承办单位',
};

/** Why signing in did not work, as the sign-in card shows it. */
function failureMessage(error: unknown): string {
  if (error instanceof SignInFailure) return error.message;
  return `令牌无效：${error instanceof ApiFailure ? error.message : String(error)}`;
}

/**
 * `session`: who the caller is, already being asked when the page starts (main.tsx): the first
 * `GET /session`, or the exchange of the identity provider's code.
 */
export function App({ session }: { session: Promise<Principal> | null }) {
  const route = useRoute();
  const [principal, setPrincipal] = useState<Principal | null>(null);
  const [checking, setChecking] = useState(() => session !== null || storedToken() !== null);
  const [failure, setFailure] = useState<string | null>(null);

  const check = useCallback(async (pending: Promise<Principal> | null) => {
    if (pending === null && storedToken() === null) return;
    setChecking(true);
    try {
      setPrincipal(await (pending ?? getJson<Principal>('/session')));
      setFailure(null);
    } catch (error) {
      forgetToken();
      setFailure(failureMessage(error));
    } finally {
      setChecking(false);
    }
  }, []);

  useEffect(() => {
    void check(session);
  }, [check, session]);

  useEffect(() => {
    const ended = () => {
      setPrincipal(null);
      setFailure('登录已失效（令牌过期或被拒绝），请重新登录。');
    };
    window.addEventListener(SESSION_ENDED, ended);
    return () => window.removeEventListener(SESSION_ENDED, ended);
  }, []);

  if (checking) return <Spin fullscreen description="正在验证身份…" />;
  if (!principal) return <SignIn failure={failure} onSignedIn={() => void check(null)} />;

  const signOut = () => {
    forgetToken();
    setPrincipal(null);
  };
  const selected = route.page === 'order' ? 'orders' : route.page;
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header className="console-header">
        <Typography.Text strong className="console-brand">
          12345 督办台
        </Typography.Text>
        <Menu
          theme="dark"
          mode="horizontal"
          selectedKeys={[selected]}
          style={{ flex: 1, minWidth: 0 }}
          items={[
            { key: 'inbox', label: <a href="#/inbox">督办台</a> },
            { key: 'orders', label: <a href="#/orders">工单</a> },
            { key: 'statistics', label: <a href="#/statistics">统计</a> },
          ]}
        />
        <Space className="console-user">
          <span>
            {ROLE_LABELS[principal.role]} · {principal.subject}
            {principal.unitId ? `（${principal.unitId}）` : ''}
          </span>
          <Button size="small" onClick={signOut}>
            退出
          </Button>
        </Space>
      </Layout.Header>
      <Layout.Content className="console-content">
        <Suspense fallback={<Spin />}>
          {route.page === 'inbox' && <Inbox principal={principal} />}
          {route.page === 'orders' && <Orders principal={principal} />}
          {route.page === 'order' && (
            <OrderDetail key={route.id} id={route.id} principal={principal} />
          )}
          {route.page === 'statistics' && (
            <Statistics principal={principal} initialMonth={route.month} />
          )}
        </Suspense>
      </Layout.Content>
    </Layout>
  );
}

export function Refused({ failure }: { failure: unknown }) {
  const status = failure instanceof ApiFailure ? failure.status : 0;
  const message = failure instanceof Error ? failure.message : String(failure);
  return (
    <Result
      status={status === 403 ? '403' : status === 404 ? '404' : 'error'}
      title={status === 403 ? '无权查看' : status === 404 ? '未找到' : '加载失败'}
      subTitle={message}
    />
  );
}
